#!/bin/bash
# mogu-monitor on a pure cgroup v2 host (this project's machines are hybrid, where it reads v1):
# its container series against the kernel's v2 files for real mogu containers doing IO, holding
# memory, held at their PID limit and OOM-killed, PSI included. One boot, booted with psi=1
# (Debian's kernel has PSI off by default); the checks in tests/vm/guest/monitor-cgroup-v2-checks.sh.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
checks=tests/vm/guest/monitor-cgroup-v2-checks.sh
why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu-monitor ]] && why="$MOGU_BIN/mogu-monitor is not built"
[[ -z $why && ! -x tests/fixtures/out/rootfs/bin/busybox ]] && why="the fixture rootfs is not built (make fixtures)"
[[ -z $why ]] && ! command -v curl >/dev/null && why="curl is missing (make deps)"
if [[ -n $why ]]; then
    tap_plan "$(sed -n 's/^tap_plan \([0-9]*\)$/\1/p' "$checks")"
    tap_skip_rest "$why"
    exit 0
fi
tests/vm/run-in-guest --cgroup v2 --append psi=1 --disk data:64M --timeout 300 -- bash "$checks"
