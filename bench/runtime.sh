#!/bin/bash
# Container start cost, mogu against runc and crun, side by side in one run:
#   run       `RUNTIME run ID` of a /bin/true container (create, start, wait, delete)
#   lifecycle `create` + `start` + wait for exit + `delete`
# Medians over N cycles, ratios, and mogu's peak RSS. crun refuses this host's hybrid cgroup
# layout, so it runs in a mount namespace where /sys/fs/cgroup/unified is unmounted.
set -euo pipefail
cd "$(dirname "$0")/.."
MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
N=${BENCH_RUNTIME_CYCLES:-50}
work=$(mktemp -d /tmp/mogu-bench.XXXXXX)
source tests/lib/cgroups.bash
trap 'rm -rf "$work"; remove_cgroup_parent /mogu-bench' EXIT

mkdir -p "$work/bundle"
(cd "$work/bundle" && "$MOGU_BIN/mogu" spec)
# runc refuses a rootfs reached through a symlink: name the fixture directly.
jq --arg rootfs "$PWD/tests/fixtures/out/rootfs" '.process.terminal = false | .process.args = ["/bin/true"] | .root.path = $rootfs' \
    "$work/bundle/config.json" >"$work/c" && mv "$work/c" "$work/bundle/config.json"

# cycles RUNTIME_CMD MODE: prints one duration in microseconds per line.
cycles() {
    local rt=$1 mode=$2 i t0 t1 spins
    local root=$work/root-$(basename "$rt")-$mode
    for ((i = 0; i < N; i++)); do
        local id=b$i
        jq ".linux.cgroupsPath = \"/mogu-bench/$id\"" "$work/bundle/config.json" >"$work/bundle/config.json.$id"
        cp "$work/bundle/config.json.$id" "$work/bundle/config.json"
        t0=$EPOCHREALTIME
        if [[ $mode == run ]]; then
            $rt --root "$root" run --bundle "$work/bundle" "$id" >/dev/null
        else
            $rt --root "$root" create --bundle "$work/bundle" "$id" >/dev/null
            $rt --root "$root" start "$id"
            spins=0
            until [[ $($rt --root "$root" state "$id" | jq -r .status) == stopped ]]; do
                ((++spins < 1000)) || { echo "bench: $rt: $id never stopped" >&2; return 1; }
            done
            $rt --root "$root" delete "$id"
        fi
        t1=$EPOCHREALTIME
        echo $(( (${t1/./} - ${t0/./}) ))
        rm -f "$work/bundle/config.json.$id"
    done
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) {print 0; exit} print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
ms() { awk -v us="$1" 'BEGIN {printf "%.2f", us / 1000}'; }

declare -A result
for mode in run lifecycle; do
    result[mogu,$mode]=$(cycles "$MOGU_BIN/mogu" $mode | median)
    result[runc,$mode]=$(cycles runc $mode | median)
    # crun: in its own mount namespace without the cgroup2 mount it refuses.
    export -f cycles median
    export work N
    result[crun,$mode]=$(unshare -m bash -c "umount /sys/fs/cgroup/unified 2>/dev/null; cycles crun $mode | median")
done

peak=$( { command time -f %M "$MOGU_BIN/mogu" --root "$work/root-rss" run --bundle "$work/bundle" rss >/dev/null; } 2>&1 | tail -1)

printf '%-10s %12s %12s %12s %12s %12s\n' cycle "mogu (ms)" "crun (ms)" "runc (ms)" "mogu/crun" "mogu/runc"
for mode in run lifecycle; do
    m=${result[mogu,$mode]} c=${result[crun,$mode]} r=${result[runc,$mode]}
    printf '%-10s %12s %12s %12s %12s %12s\n' "$mode" "$(ms "$m")" "$(ms "$c")" "$(ms "$r")" \
        "$(awk -v a="$m" -v b="$c" 'BEGIN {printf "%.2f", a / b}')" "$(awk -v a="$m" -v b="$r" 'BEGIN {printf "%.2f", a / b}')"
done
echo "medians of $N cycles of a /bin/true container; mogu peak RSS during run: ${peak} KiB"
