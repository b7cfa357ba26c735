#!/bin/bash
# make soak, part 1: density. SOAK_CONTAINERS (500) idle containers (busybox sleep) started through
# one private containerd with the mogu shim, measured, then stopped and removed; then the same
# with containerd's runc shim and runc, side by side. Per container: the shim's private memory
# (Private_Clean + Private_Dirty of its smaps_rollup), its proportional share (Pss), the kernel
# memory and page cache charged to the container's cgroup, and the drop in the host's
# MemAvailable. For the whole set: the start rate, the time to list the tasks, to collect every
# task's stats (containerd's /v1/metrics, which asks each shim), and to remove them all; and that
# nothing is left afterwards (shims, state, cgroups, mounts).
set -euo pipefail
cd "$(dirname "$0")/.."
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/build/bin}
source soak/lib.sh
source tests/integration/lib/containerd.bash
N=${SOAK_CONTAINERS:-500}
if why=$(containerd_missing); then echo "soak: $why" >&2; exit 1; fi
command -v runc >/dev/null || { echo "soak: runc not installed" >&2; exit 1; }
CTD_NS=mogu-density
CTD_METRICS=127.0.0.1:$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap stop_containerd EXIT
start_containerd

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
mem_available_kb() { awk '/^MemAvailable/ {print $2}' /proc/meminfo; }

# The memory cgroup file FILE of container ID: v1's memory hierarchy or the cgroup2 mount.
# The shims of this run's containerd namespace, of both kinds, by their command line
# (containerd's runc shim writes no pid file).
shim_pids() { pgrep -f "containerd-shim-(mogu|runc)-v2 -namespace $CTD_NS "; }

memcg_file() {
    local id=$1 file=$2 m
    for m in $(cgroup_mounts); do
        [[ -e $m/$CTD_NS/$id/$file ]] && { echo "$m/$CTD_NS/$id/$file"; return 0; }
    done
    return 1
}

# kB of kernel memory and of page cache charged to container ID ("-" where the host has neither
# v1's memory.kmem.usage_in_bytes nor v2's memory.stat "kernel").
cgroup_kernel_kb() {
    local f
    if f=$(memcg_file "$1" memory.kmem.usage_in_bytes); then echo $(( $(<"$f") / 1024 ))
    elif f=$(memcg_file "$1" memory.stat) && grep -q '^kernel ' "$f"; then awk '$1 == "kernel" {print int($2 / 1024)}' "$f"
    else echo -; fi
}
cgroup_cache_kb() {
    local f
    f=$(memcg_file "$1" memory.stat) || { echo -; return; }
    awk '$1 == "cache" || $1 == "file" {print int($2 / 1024); exit}' "$f"
}

# measure KIND RUNTIME: one line of figures for N containers of that kind.
measure() {
    local kind=$1 runtime=$2 i t0 ids=()
    for i in $(seq "$N"); do ids+=("d-$kind-$i"); done
    sync; echo 1 >/proc/sys/vm/drop_caches
    local avail0
    avail0=$(mem_available_kb)

    t0=$(date +%s%N)
    for i in "${ids[@]}"; do
        ctr_ run -d --runtime "$runtime" "$CTD_IMAGE" "$i" /bin/sleep 1000000 </dev/null >/dev/null
    done
    local start_ms
    start_ms=$(ms_since "$t0")
    sleep 2   # let the shims settle after their last request
    local running
    running=$(ctr_ task ls | awk '$3 == "RUNNING"' | wc -l)
    [[ $running == "$N" ]] || { echo "soak: $kind: $running of $N tasks running" >&2; return 1; }

    local priv=0 pss=0 pid
    for pid in $(shim_pids); do
        read -r p s < <(awk '/^Private_(Clean|Dirty)/ {p += $2} /^Pss:/ {s = $2} END {print p, s}' "/proc/$pid/smaps_rollup")
        priv=$((priv + p)); pss=$((pss + s))
    done
    local kernel=0 cache=0 k c
    for i in "${ids[@]}"; do
        k=$(cgroup_kernel_kb "$i"); c=$(cgroup_cache_kb "$i")
        [[ $k == - ]] && kernel=- || { [[ $kernel == - ]] || kernel=$((kernel + k)); }
        [[ $c == - ]] && cache=- || { [[ $cache == - ]] || cache=$((cache + c)); }
    done
    local host_kb=$((avail0 - $(mem_available_kb)))

    t0=$(date +%s%N); ctr_ task ls >/dev/null; local list_ms; list_ms=$(ms_since "$t0")
    t0=$(date +%s%N)
    local series
    series=$(curl -sf --max-time 120 "http://$CTD_METRICS/v1/metrics" | grep -c "^container_pids_current{" || true)
    local stats_ms; stats_ms=$(ms_since "$t0")

    t0=$(date +%s%N)
    for i in "${ids[@]}"; do ctr_ task kill -s SIGKILL "$i" >/dev/null; done
    for i in "${ids[@]}"; do
        for _ in $(seq 100); do ctr_ task delete "$i" >/dev/null 2>&1 && break; sleep 0.1; done
        ctr_ containers delete "$i" >/dev/null
    done
    local remove_ms; remove_ms=$(ms_since "$t0")
    sleep 1
    local left=()
    [[ -z $(ctr_ containers ls -q) ]] || left+=("containers")
    shim_pids >/dev/null && left+=("shim processes")
    [[ -z $(find "$(runtime_root)" /run/containerd/runc/"$CTD_NS" -mindepth 1 -maxdepth 1 2>/dev/null) ]] || left+=("runtime state")
    grep -q "/$CTD_NS/d-$kind-" /proc/self/mountinfo && left+=("mounts")
    local m
    for m in $(cgroup_mounts); do
        [[ -z $(find "$m/$CTD_NS" -mindepth 1 -maxdepth 1 -type d 2>/dev/null) ]] || { left+=("cgroups under $m/$CTD_NS"); break; }
    done
    echo "$kind $start_ms $((priv / N)) $((pss / N)) $([[ $kernel == - ]] && echo - || echo $((kernel / N))) $([[ $cache == - ]] && echo - || echo $((cache / N))) $((host_kb / N)) $list_ms $stats_ms $series $remove_ms ${left[*]:-nothing}"
}

# Warm-up: the image unpacked once for both.
ctr_ run --rm --runtime io.containerd.mogu.v2 "$CTD_IMAGE" warm-mogu /bin/true </dev/null >/dev/null
ctr_ run --rm --runtime io.containerd.runc.v2 "$CTD_IMAGE" warm-runc /bin/true </dev/null >/dev/null

read -r -a M < <(measure mogu io.containerd.mogu.v2)
read -r -a R < <(measure runc io.containerd.runc.v2)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
row() { printf '%-44s %12s %12s %8s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
echo "density: $N idle containers (busybox sleep) through one containerd 1.6, per shim"
printf '%-44s %12s %12s %8s\n' "" "mogu shim" "runc shim" "ratio"
row "start all, ms"                          "${M[1]}" "${R[1]}"
row "start rate, containers/s"               "$(awk -v n="$N" -v t="${M[1]}" 'BEGIN {printf "%.1f", n * 1000 / t}')" \
                                             "$(awk -v n="$N" -v t="${R[1]}" 'BEGIN {printf "%.1f", n * 1000 / t}')"
row "shim private memory per container, kB"  "${M[2]}" "${R[2]}"
row "shim Pss per container, kB"             "${M[3]}" "${R[3]}"
row "cgroup kernel memory per container, kB" "${M[4]}" "${R[4]}"
row "cgroup page cache per container, kB"    "${M[5]}" "${R[5]}"
row "host MemAvailable drop per container, kB" "${M[6]}" "${R[6]}"
row "ctr task ls of all, ms"                 "${M[7]}" "${R[7]}"
row "stats of all (/v1/metrics), ms"         "${M[8]}" "${R[8]}"
row "  tasks in the stats"                   "${M[9]}" "${R[9]}"
row "kill, delete and remove all, ms"        "${M[10]}" "${R[10]}"
echo "left behind: mogu ${M[*]:11}; runc ${R[*]:11}"
[[ ${M[11]} == nothing && ${R[11]} == nothing ]]
