#!/bin/bash
# The SSD cache tier (dm-cache) under mogu-snapshotter's pool, in a guest with a slow data disk
# (dm-delay over it), a fast cache disk and a metadata disk: two boots over the same disk files,
# the first ending in a hard power-off with dirty blocks (tests/vm/guest/cache-tier.sh). The reads
# and writes the cache serves come from mogu containers running on the snapshot.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
PLAN=34
why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu-snapshotter ]] && why="$MOGU_BIN/mogu-snapshotter is not built"
[[ -z $why ]] && ! command -v dmsetup >/dev/null && why="dmsetup is missing (apt-get install dmsetup)"
[[ -z $why && ! -x tests/fixtures/out/rootfs/bin/busybox ]] && why="the fixture rootfs is not built (make fixtures)"
if [[ -n $why ]]; then tap_plan $PLAN; tap_skip_rest "$why"; exit 0; fi

work=$(mktemp -d /tmp/mogu-cache-vm.XXXXXX)
chmod 0755 "$work"
trap '[[ -n ${MOGU_CACHE_KEEP:-} ]] && echo "# kept $work" || rm -rf "$work"' EXIT
for d in data:512M fast:64M meta:16M tiny:4M withfs:16M; do truncate -s "${d#*:}" "$work/disk-${d%%:*}"; done
disks=()
for n in data fast meta tiny withfs; do disks+=(--disk-file "$n:$work/disk-$n"); done
tap_plan $PLAN

# report PHASE: the guest's PASS/FAIL lines as TAP.
report() {
    local status name why
    while IFS='|' read -r status name why; do
        if [[ $status == PASS ]]; then tap_ok "$name"; else tap_not_ok "$name" "$why"; fi
    done <"$work/results.$1"
}

# Boot 1 ends in a power-off, so the harness says the command did not finish (125).
tests/vm/run-in-guest --share "$work" "${disks[@]}" --timeout 600 \
    -- bash tests/vm/guest/cache-tier.sh "$work" 1 >"$work/guest1.out" 2>"$work/guest1.err"
rc=$?
report 1
if [[ ! -e $work/dirty.before ]]; then
    tap_not_ok "boot 1 reached the power-off (exit $rc)" "$(tail -n 20 "$work/guest1.err")"
    tap_skip_rest "boot 1 failed"; exit 1
fi
tap_check "boot 1 ended in a hard power-off, not a clean exit" test "$rc" = 125

tests/vm/run-in-guest --share "$work" "${disks[@]}" --timeout 600 \
    -- bash tests/vm/guest/cache-tier.sh "$work" 2 >"$work/guest2.out" 2>"$work/guest2.err"
rc=$?
report 2
tap_check "boot 2 ran to its end" bash -c "[[ $rc == 0 && -e $work/phase2.done ]] || { tail -n 20 '$work/guest2.err'; false; }"
(( TAP_N < TAP_PLANNED )) && tap_skip_rest "the guest stopped early"
tap_done
