#!/bin/bash
# mogu-monitor's thin-pool series and kernel-log events against a real pool (this host has no
# device-mapper): one boot, the checks in tests/vm/guest/monitor-thin-pool-checks.sh.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
checks=tests/vm/guest/monitor-thin-pool-checks.sh
why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu-monitor ]] && why="$MOGU_BIN/mogu-monitor is not built"
[[ -z $why ]] && ! command -v curl >/dev/null && why="curl is missing (make deps)"
if [[ -n $why ]]; then
    tap_plan "$(sed -n 's/^tap_plan \([0-9]*\)$/\1/p' "$checks")"
    tap_skip_rest "$why"
    exit 0
fi
tests/vm/run-in-guest --disk data:64M --disk meta:8M --timeout 300 -- bash "$checks"
