#!/bin/bash
# mogu-snapshotter on a real thin pool in a guest (this host has no device-mapper): one boot,
# the checks in tests/vm/guest/snapshotter-checks.sh.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu-snapshotter ]] && why="$MOGU_BIN/mogu-snapshotter is not built"
if [[ -n $why ]]; then tap_plan 24; tap_skip_rest "$why"; exit 0; fi
tests/vm/run-in-guest --disk data:1G --disk meta:64M --timeout 900 -- bash tests/vm/guest/snapshotter-checks.sh
