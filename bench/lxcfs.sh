#!/bin/bash
# What the LXCFS views cost, side by side in one run:
#   create   `mogu run` of a /bin/true container with the views against one without (median)
#   read     one `cat /proc/meminfo` inside a container, through LXCFS against the kernel's
#   top      CPU time (user+system) and system calls of one `mogu top` refresh over
#            BENCH_TOP_CONTAINERS running containers with the views (their LXCFS load averages
#            read), and what one system call costs on this machine, which sets that CPU time
# A private LXCFS is started and stopped here, as in the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
MOGU=$MOGU_BIN/mogu
N=${BENCH_LXCFS_CYCLES:-50}
TOP_N=${BENCH_TOP_CONTAINERS:-100}
source tests/lib/cgroups.bash
source tests/integration/lib/lxcfs.bash
if why=$(lxcfs_missing); then
    echo "lxcfs bench skipped: $why"
    exit 0
fi
work=$(mktemp -d /tmp/mogu-bench-lxcfs.XXXXXX)
root=$work/state
cleanup() {
    local id
    for id in $("$MOGU" --root "$root" list -q 2>/dev/null); do "$MOGU" --root "$root" delete -f "$id" >/dev/null 2>&1 || true; done
    stop_lxcfs "$work/lxcfs"
    rm -rf "$work"
    remove_cgroup_parent /mogu-bench
}
trap cleanup EXIT
start_lxcfs "$work/lxcfs"
mx() { "$MOGU" --root "$root" --lxcfs-path "$LXCFS_MNT" "$@"; }

mkdir -p "$work/bundle"
(cd "$work/bundle" && "$MOGU" spec)
jq --arg rootfs "$PWD/tests/fixtures/out/tools-rootfs" '.process.terminal = false | .process.args = ["/bin/true"] | .root.path = $rootfs' \
    "$work/bundle/config.json" >"$work/plain.json"
jq '.annotations["io.mogu.lxcfs"] = "true"' "$work/plain.json" >"$work/views.json"

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) {print 0; exit} print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

# run_cycles CONFIG: microseconds of `mogu run` per line. Both kinds alternate in the caller.
one_run() {
    local config=$1 id=$2 t0 t1
    jq ".linux.cgroupsPath = \"/mogu-bench/$id\"" "$config" >"$work/bundle/config.json"
    t0=$EPOCHREALTIME
    mx run --bundle "$work/bundle" "$id" >/dev/null
    t1=$EPOCHREALTIME
    echo $(( ${t1/./} - ${t0/./} ))
}
: >"$work/plain.us"
: >"$work/views.us"
for ((i = 0; i < N; i++)); do
    one_run "$work/plain.json" "p$i" >>"$work/plain.us"
    one_run "$work/views.json" "v$i" >>"$work/views.us"
done
plain=$(median <"$work/plain.us")
views=$(median <"$work/views.us")

# Reads of /proc/meminfo inside one running container, 1000 in a loop, with and without views.
reads() {
    local config=$1 id=$2 t0 t1
    jq ".linux.cgroupsPath = \"/mogu-bench/$id\" | .process.args = [\"sleep\", \"600\"]" "$config" >"$work/bundle/config.json"
    mx run -d --bundle "$work/bundle" "$id" </dev/null >/dev/null 2>&1
    t0=$EPOCHREALTIME
    mx exec "$id" sh -c 'i=0; while [ $i -lt 1000 ]; do read -r line </proc/meminfo; i=$((i+1)); done'
    t1=$EPOCHREALTIME
    mx delete -f "$id"
    echo $(( (${t1/./} - ${t0/./}) / 1000 ))
}
read_host=$(reads "$work/plain.json" rh)
read_views=$(reads "$work/views.json" rv)

# TOP_N sleeping containers; one refresh's CPU time = (CPU of `top --once`, which looks twice) / 2.
for ((i = 0; i < TOP_N; i++)); do
    jq ".linux.cgroupsPath = \"/mogu-bench/t$i\" | .process.args = [\"sleep\", \"600\"]" "$work/views.json" >"$work/bundle/config.json"
    mx run -d --bundle "$work/bundle" "t$i" </dev/null >/dev/null 2>&1
done
# `top --once` looks twice (the load averages in the second look only): per refresh is half.
# CPU time from getrusage(RUSAGE_CHILDREN) over 20 runs: time(1)'s 10 ms steps are too coarse.
top_cpu=$(python3 - "$MOGU" "$root" <<'PY'
import resource, subprocess, sys
mogu, root, n = sys.argv[1], sys.argv[2], 20
before = resource.getrusage(resource.RUSAGE_CHILDREN)
for _ in range(n):
    subprocess.run([mogu, "--root", root, "top", "--once", "--interval", "1ms", "--format", "json"], stdout=subprocess.DEVNULL, check=True)
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print("%.1f" % (cpu * 1000 / n / 2))
PY
)
top_syscalls=$(strace -f -c -o "$work/top.strace" "$MOGU" --root "$root" top --once --interval 1ms --format json >/dev/null 2>&1 &&
    awk '$NF == "total" {print int($4 / 2)}' "$work/top.strace")
# One getppid(2), the cheapest system call, timed in a python loop (the loop's own share is well
# under a microsecond).
syscall_us=$(python3 -c 'import os, time
n = 100000
t = time.perf_counter()
for _ in range(n): os.getppid()
print("%.2f" % ((time.perf_counter() - t) / n * 1e6))')

printf '%-44s %12s %12s %10s\n' measurement "without" "with views" difference
printf '%-44s %12s %12s %10s\n' "mogu run of /bin/true, median of $N (ms)" \
    "$(awk -v v="$plain" 'BEGIN {printf "%.2f", v / 1000}')" "$(awk -v v="$views" 'BEGIN {printf "%.2f", v / 1000}')" \
    "$(awk -v a="$views" -v b="$plain" 'BEGIN {printf "%+.2f ms", (a - b) / 1000}')"
printf '%-44s %12s %12s %10s\n' "one read of /proc/meminfo inside (us)" "$read_host" "$read_views" \
    "$(awk -v a="$read_views" -v b="$read_host" 'BEGIN {printf "x%.1f", a / b}')"
printf '%-44s %12s %12s %10s\n' "mogu top: CPU per refresh, $TOP_N containers (ms)" "-" "$top_cpu" ""
printf '%-44s %12s %12s %10s\n' "mogu top: system calls per refresh" "-" "$top_syscalls" ""
printf '%-44s %12s\n' "one getppid() on this machine (us)" "$syscall_us"
echo "a read includes the shell's loop; LXCFS answers each read in user space over FUSE"
