#!/bin/bash
# Proves tests/vm/run-in-guest: a different kernel, pure cgroup v2 and hybrid layouts, the command's
# output, cwd, env, stdin and exit status, disks by serial, read-write shares, host modules through
# 9p, and clear failures for a bad option and a guest that does not finish. Three boots.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. tests/vm/lib/tap.sh
rig=tests/vm/run-in-guest
tap_plan 14

why=$(vm_unavailable)
if [[ -n $why ]]; then tap_skip_rest "$why"; exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Boot 1: pure v2, one disk, one share. The guest reports facts as key=value lines, then exits 7.
cat >"$work/facts.sh" <<'G'
echo "kernel=$(uname -r)"
echo "cwd=$PWD"
echo "env=${MOGU_HARNESS_PROBE:-}"
echo "stdin=$(cat)"
echo "root_fs=$(stat -f -c %T /)"
echo "cgroup_fs=$(stat -f -c %T /sys/fs/cgroup)"
echo "v1_mounts=$(awk '$3 == "cgroup"' /proc/mounts | wc -l)"
mkdir -p /tmp/v1try && mount -t cgroup -o memory none /tmp/v1try 2>/dev/null && echo v1_mount=works || echo v1_mount=refused
echo "controllers=$(cat /sys/fs/cgroup/cgroup.controllers)"
echo "disk=$(readlink -f /dev/disk/by-id/virtio-scratch) $(blockdev --getsize64 /dev/disk/by-id/virtio-scratch)"
modprobe dm-thin-pool && [[ -d /sys/module/dm_thin_pool ]] && echo dm_thin=loaded
echo "written in the guest" >"$SHARE/from-guest"
echo "to stderr" >&2
exit 7
G
mkdir -p "$work/share"
mkdir -p "$work/cwd"
(cd "$work/cwd" && echo "fed to stdin" | MOGU_HARNESS_PROBE=carried SHARE=$work/share \
    "$OLDPWD/$rig" --disk scratch:3G --share "$work/share" -- bash "$work/facts.sh" >"$work/out1" 2>"$work/err1")
rc1=$?
fact() { sed -n "s/^$1=//p" "$work/out1"; }
tap_check "the command's exit status comes back" test "$rc1" = 7
tap_check "the guest runs its own kernel, not the host's" bash -c "[[ -n '$(fact kernel)' && '$(fact kernel)' != '$(uname -r)' ]]"
tap_check "cwd, env and stdin are the caller's" bash -c "[[ '$(fact cwd)' == '$work/cwd' && '$(fact env)' == carried && '$(fact stdin)' == 'fed to stdin' ]]"
tap_check "stderr comes back apart from stdout" grep -qx 'to stderr' "$work/err1"
tap_check "root is an overlay over the host" test "$(fact root_fs)" = overlayfs
tap_check "pure v2: cgroup2 at /sys/fs/cgroup with controllers" bash -c "[[ '$(fact cgroup_fs)' == cgroup2fs && '$(fact controllers)' == *memory* ]]"
tap_check "pure v2: no v1 hierarchy is mounted or mountable" bash -c "[[ '$(fact v1_mounts)' == 0 && '$(fact v1_mount)' == refused ]]"
tap_check "disk found by serial with its size" bash -c "[[ '$(fact disk)' == '/dev/vda 3221225472' ]]"
tap_check "host modules load in the guest (dm-thin-pool)" bash -c "[[ '$(fact dm_thin)' == *loaded* ]]"
tap_check "a --share is writable and seen by the host" grep -qx 'written in the guest' "$work/share/from-guest"

# Boot 2: hybrid layout.
$rig --cgroup hybrid -- bash -c '
    stat -f -c "top=%T" /sys/fs/cgroup
    stat -f -c "unified=%T" /sys/fs/cgroup/unified
    stat -f -c "memory=%T" /sys/fs/cgroup/memory
    test -e /sys/fs/cgroup/cpu/cpu.shares && echo cpu=v1' >"$work/out2" 2>&1
tap_check "hybrid: v1 controllers and cgroup2 at unified/" bash -c "grep -qx top=tmpfs '$work/out2' && grep -qx unified=cgroup2fs '$work/out2' && grep -qx memory=cgroupfs '$work/out2' && grep -qx cpu=v1 '$work/out2'"

# No boot: a bad option is refused before anything starts.
$rig --disk 'bad name:1G' -- true >"$work/out3" 2>&1; rc3=$?
tap_check "a bad option fails with 125 and names the option" bash -c "[[ $rc3 == 125 ]] && grep -q -- '--disk wants NAME:SIZE' '$work/out3'"

# Boot 3: a guest that does not finish in time is killed and reported with its console.
$rig --timeout 2 -- sleep 60 >"$work/out4" 2>&1; rc4=$?
tap_check "a guest past --timeout exits 124 with a clear message" bash -c "[[ $rc4 == 124 ]] && grep -q 'did not finish within 2s' '$work/out4'"
tap_check "the report includes the console's last lines" grep -q 'last console lines' "$work/out4"

tap_done
