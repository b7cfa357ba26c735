#!/bin/bash
# The LXCFS views on a pure cgroup v2 host (this project's machines are hybrid): free under a
# memory limit, CPUs under a quota, uptime, a container's own load average, the repair after LXCFS
# is killed, nothing left after delete; the checks of tests/integration/lxcfs.bats, run in a guest
# booted with cgroup_no_v1=all by tests/vm/guest/lxcfs-checks.sh, with Debian's LXCFS from the
# host's userland on the guest's FUSE. One boot, with 3 vCPUs: a quota of 1.5 CPUs shows 2, which
# tells the view from the guest's own count only when the guest has more (an idle vCPU costs TCG
# next to nothing; the busy loops run under half a CPU's quota).
set -uo pipefail
cd "$(dirname "$0")/../../.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
checks=tests/vm/guest/lxcfs-checks.sh
why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu ]] && why="$MOGU_BIN/mogu is not built"
[[ -z $why && ! -x tests/fixtures/out/tools-rootfs/usr/bin/free ]] && why="the tools rootfs is not built (make fixtures)"
[[ -z $why ]] && ! command -v lxcfs >/dev/null && why="lxcfs is not installed (apt-get install lxcfs)"
if [[ -n $why ]]; then
    tap_plan "$(sed -n 's/^tap_plan \([0-9]*\)$/\1/p' "$checks")"
    tap_skip_rest "$why"
    exit 0
fi
tests/vm/run-in-guest --cgroup v2 --cpus 3 --timeout 300 -- bash "$checks"
