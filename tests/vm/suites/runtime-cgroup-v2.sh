#!/bin/bash
# The mogu runtime on a pure cgroup v2 host (this project's machines are hybrid): the runtime's
# cgroups end-to-end suite, and the lifecycle tests that go through cgroups (pause/resume on the
# v2 freezer, kill --all, ps, delete), run unchanged inside a guest booted with cgroup_no_v1=all;
# each result is reported here, prefixed "v2:". One boot; containers under TCG are slow, so the
# rest of the lifecycle suite (cgroup-independent) is left to the host run.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD
export MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
suites=(tests/integration/runtime_lifecycle.bats tests/integration/runtime_cgroups.bats)
filter='pause|kill takes|ps lists|create, start|delete refuses|cgroup|limit|update|OOM|fork|devices|events'


why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu ]] && why="$MOGU_BIN/mogu is not built"
[[ -z $why && ! -x tests/fixtures/out/rootfs/bin/busybox ]] && why="the fixture rootfs is not built (make fixtures)"
if [[ -n $why ]]; then
    tap_plan 1
    tap_skip_rest "$why"
    exit 0
fi

out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
# The guest proves its layout before running anything: no v1 hierarchy, cgroup2 at the top.
tests/vm/run-in-guest --cgroup v2 --mem 1536 --timeout 1200 -- bash -c '
    grep -q " - cgroup cgroup " /proc/self/mountinfo && { echo "layout: v1 hierarchies present"; exit 3; }
    echo "layout: $(stat -fc %T /sys/fs/cgroup) controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
    bats --tap --filter "$0" "$@"' "$filter" "${suites[@]}" >"$out" 2>"$err"
rc=$?

# Renumber the guest's TAP into ours.
planned=$(grep -c '^ok \|^not ok ' "$out")
tap_plan $(( planned + 1 ))
if grep -q '^layout: cgroup2fs ' "$out"; then
    tap_ok "v2: the guest has a pure cgroup v2 hierarchy ($(grep '^layout:' "$out" | cut -d' ' -f3-))"
else
    tap_not_ok "v2: the guest has a pure cgroup v2 hierarchy" "$(grep '^layout:' "$out")" "$(tail -n 20 "$err")"
fi
tap_relay_bats v2 "$out"
if (( rc != 0 && TAP_FAILED == 0 )); then
    tap_not_ok "v2: the guest run failed (exit $rc)" "$(tail -n 25 "$err")"
fi
tap_done
