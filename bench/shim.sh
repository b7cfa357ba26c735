#!/bin/bash
# containerd-shim-mogu-v2 against containerd-shim-runc-v2, side by side, behind one private
# containerd: `ctr run --rm IMG /bin/true` end to end, and the resident memory of one idle shim.
# Both shims run the same OCI runtime ($BENCH_RUNTIME: runc until the mogu binary runs
# containers), so the difference is the shim.
#   N=20 bench/shim.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/build/bin}
source tests/integration/lib/containerd.bash
N=${N:-20}
RUNTIME_BIN=${BENCH_RUNTIME:-runc}
if why=$(containerd_missing); then echo "skip: $why"; exit 0; fi
export MOGU_SHIM_RUNTIME=$RUNTIME_BIN
CTD_NS=mogu-bench
trap stop_containerd EXIT
start_containerd

ms_now() { date +%s%N; }

# Mean and best wall time in ms of N `ctr run --rm` through one shim.
time_runs() {
    local runtime=$1 tag=$2 i t0 t1 total=0 best=
    for i in $(seq "$N"); do
        t0=$(ms_now)
        ctr_ run --rm --runtime "$runtime" "$CTD_IMAGE" "bench-$tag-$i" /bin/true </dev/null >/dev/null
        t1=$(ms_now)
        local ms=$(( (t1 - t0) / 1000000 ))
        total=$((total + ms))
        [[ -z $best || $ms -lt $best ]] && best=$ms
    done
    echo "$((total / N)) $best"
}

# VmRSS in kB of the shim serving one idle container.
idle_rss() {
    local runtime=$1 tag=$2 pid
    ctr_ run -d --runtime "$runtime" "$CTD_IMAGE" "idle-$tag" /bin/sleep 600 </dev/null >/dev/null
    sleep 1
    pid=$(pgrep -f -- "-id idle-$tag( |$)" | head -1)
    awk '/^VmRSS/ {print $2}' "/proc/$pid/status"
    ctr_ task kill -s SIGKILL "idle-$tag" >/dev/null
    for _ in $(seq 50); do ctr_ task ls | grep -q "idle-$tag .*RUNNING" || break; sleep 0.1; done
    ctr_ task delete "idle-$tag" >/dev/null 2>&1 || true
    ctr_ containers delete "idle-$tag" >/dev/null
}

# One warm-up run each, so image unpacking and page cache do not favour the second.
ctr_ run --rm --runtime io.containerd.mogu.v2 "$CTD_IMAGE" warm-mogu /bin/true </dev/null >/dev/null
ctr_ run --rm --runtime io.containerd.runc.v2 "$CTD_IMAGE" warm-runc /bin/true </dev/null >/dev/null

read -r mogu_mean mogu_best < <(time_runs io.containerd.mogu.v2 mogu)
read -r runc_mean runc_best < <(time_runs io.containerd.runc.v2 runc)
mogu_rss=$(idle_rss io.containerd.mogu.v2 mogu)
runc_rss=$(idle_rss io.containerd.runc.v2 runc)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
echo "OCI runtime under both shims: $RUNTIME_BIN; $N runs each"
printf '%-36s %14s %14s %8s\n' "measure" "mogu shim" "runc shim" "mogu/runc"
printf '%-36s %11s ms %11s ms %8s\n' "ctr run --rm /bin/true, mean" "$mogu_mean" "$runc_mean" "$(ratio "$mogu_mean" "$runc_mean")"
printf '%-36s %11s ms %11s ms %8s\n' "ctr run --rm /bin/true, best" "$mogu_best" "$runc_best" "$(ratio "$mogu_best" "$runc_best")"
printf '%-36s %11s kB %11s kB %8s\n' "idle shim VmRSS" "$mogu_rss" "$runc_rss" "$(ratio "$mogu_rss" "$runc_rss")"
