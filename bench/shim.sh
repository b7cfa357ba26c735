#!/bin/bash
# containerd-shim-mogu-v2 against containerd-shim-runc-v2, side by side, behind one private
# containerd: `ctr run --rm IMG /bin/true` end to end, and the resident memory of one idle shim.
# Three rows: the mogu shim with mogu (the product), the mogu shim with runc (the shim alone
# changed), containerd's runc shim with runc (the reference).
#   N=20 bench/shim.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/build/bin}
source tests/integration/lib/containerd.bash
N=${N:-20}
if why=$(containerd_missing); then echo "skip: $why"; exit 0; fi
[[ -x $MOGU_BIN/mogu ]] || { echo "skip: $MOGU_BIN/mogu not built"; exit 0; }
CTD_NS=mogu-bench
trap 'stop_containerd; rm -f "$runc_opts"' EXIT
start_containerd
# The mogu shim's runtime options file that selects runc instead of mogu.
runc_opts=$(mktemp /tmp/mogu-bench-runc.XXXXXX.toml)
echo "BinaryName = \"$(command -v runc)\"" >"$runc_opts"

ms_now() { date +%s%N; }

# Median and best wall time in ms of N `ctr run --rm` through one shim (extra ctr flags after
# the tag). The median, not the mean: a shared machine adds outliers.
time_runs() {
    local runtime=$1 tag=$2 i t0 t1 times=()
    shift 2
    for i in $(seq "$N"); do
        t0=$(ms_now)
        ctr_ run --rm --runtime "$runtime" "$@" "$CTD_IMAGE" "bench-$tag-$i" /bin/true </dev/null >/dev/null
        t1=$(ms_now)
        times+=($(( (t1 - t0) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)], v[1]}'
}

# VmRSS and RssAnon (its private part; the rest is the binary's pages, shared between shims)
# in kB of the shim serving one idle container.
idle_rss() {
    local runtime=$1 tag=$2 pid
    ctr_ run -d --runtime "$runtime" "$CTD_IMAGE" "idle-$tag" /bin/sleep 600 </dev/null >/dev/null
    sleep 1
    pid=$(pgrep -f -- "-id idle-$tag( |$)" | head -1)
    awk '/^VmRSS/ {rss = $2} /^RssAnon/ {anon = $2} END {print rss, anon}' "/proc/$pid/status"
    ctr_ task kill -s SIGKILL "idle-$tag" >/dev/null
    for _ in $(seq 50); do ctr_ task ls | grep -q "idle-$tag .*RUNNING" || break; sleep 0.1; done
    ctr_ task delete "idle-$tag" >/dev/null 2>&1 || true
    ctr_ containers delete "idle-$tag" >/dev/null
}

# One warm-up run each, so image unpacking and page cache favour none.
ctr_ run --rm --runtime io.containerd.mogu.v2 "$CTD_IMAGE" warm-mogu /bin/true </dev/null >/dev/null
ctr_ run --rm --runtime io.containerd.mogu.v2 --runtime-config-path "$runc_opts" "$CTD_IMAGE" warm-mr /bin/true </dev/null >/dev/null
ctr_ run --rm --runtime io.containerd.runc.v2 "$CTD_IMAGE" warm-runc /bin/true </dev/null >/dev/null

read -r mm_med mm_best < <(time_runs io.containerd.mogu.v2 mm)
read -r mr_med mr_best < <(time_runs io.containerd.mogu.v2 mr --runtime-config-path "$runc_opts")
read -r rr_med rr_best < <(time_runs io.containerd.runc.v2 rr)
read -r mogu_rss mogu_anon < <(idle_rss io.containerd.mogu.v2 mogu)
read -r runc_rss runc_anon < <(idle_rss io.containerd.runc.v2 runc)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
echo "ctr run --rm IMG /bin/true, $N runs each (ms); ratio of medians against containerd's runc shim with runc"
printf '%-34s %8s %8s %8s\n' "shim + OCI runtime" "median" "best" "ratio"
printf '%-34s %8s %8s %8s\n' "mogu shim + mogu" "$mm_med" "$mm_best" "$(ratio "$mm_med" "$rr_med")"
printf '%-34s %8s %8s %8s\n' "mogu shim + runc" "$mr_med" "$mr_best" "$(ratio "$mr_med" "$rr_med")"
printf '%-34s %8s %8s %8s\n' "runc shim + runc (reference)" "$rr_med" "$rr_best" "1.00"
echo
printf '%-34s %10s %10s %8s\n' "idle shim, kB" "mogu shim" "runc shim" "ratio"
printf '%-34s %10s %10s %8s\n' "VmRSS" "$mogu_rss" "$runc_rss" "$(ratio "$mogu_rss" "$runc_rss")"
printf '%-34s %10s %10s %8s\n' "RssAnon (private)" "$mogu_anon" "$runc_anon" "$(ratio "$mogu_anon" "$runc_anon")"
