# Helpers for the mogu-vm suites (kvm*.bats): a private --root, disk folder and bundle per test
# file, the fixture busybox rootfs, and the check that a container left nothing behind (no
# keeper, no QEMU, no disk image, no socket, no state directory).

MOGU_VM=${MOGU_BIN:-$MOGU_SRC/build/bin}/mogu-vm
KVM_FIXTURE_ROOTFS=${MOGU_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}/tests/fixtures/out/rootfs
KVM_HELPERS=$BATS_TEST_DIRNAME
source "$(dirname "${BASH_SOURCE[0]}")/../lib/cgroups.bash"

# Why these tests cannot run here, or nothing.
kvm_missing() {
    [[ $EUID -eq 0 ]] || { echo "needs root"; return; }
    command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"; return; }
    ls /boot/vmlinuz-* >/dev/null 2>&1 || { echo "no kernel in /boot (apt-get install linux-image-amd64)"; return; }
    command -v mkfs.ext4 >/dev/null || { echo "mkfs.ext4 is missing (apt-get install e2fsprogs)"; return; }
    [[ -x $MOGU_VM && -x $(dirname "$MOGU_VM")/mogu-agent ]] || { echo "mogu-vm or mogu-agent not built in $(dirname "$MOGU_VM")"; return; }
    [[ -x $KVM_FIXTURE_ROOTFS/bin/busybox ]] || { echo "fixture rootfs missing (make fixtures)"; return; }
    return 0
}

# Sets KVM_TMP, ROOT, MOGU_VM_DISKS (exported) under one temp folder.
kvm_setup_dirs() {
    KVM_TMP=$(mktemp -d /tmp/mogu-vmt.XXXXXX)
    ROOT=$KVM_TMP/state
    export MOGU_VM_DISKS=$KVM_TMP/disks
    export KVM_TMP ROOT
}

kvm_teardown_dirs() {
    [[ -n ${KVM_TMP:-} && -d $KVM_TMP ]] || return 0
    local id
    for id in $(vm list -q 2>/dev/null); do vm delete --force "$id" >/dev/null 2>&1 || true; done
    pkill -9 -f "$KVM_TMP" 2>/dev/null || true
    rm -rf "$KVM_TMP"
    remove_cgroup_parent "$KVM_CGROUP_PARENT"
}

vm() { "$MOGU_VM" --root "$ROOT" "$@"; }

# Every test VM's host cgroup (the keeper and QEMU) sits under this parent.
KVM_CGROUP_PARENT=/mogu-vm-test

# make_vm_bundle DIR [JQ_FILTER...]: a bundle of the fixture rootfs whose process runs `sh`,
# read-only root, a /tmp tmpfs, cgroup $KVM_CGROUP_PARENT/<basename of DIR> (use that as the
# container id), each filter applied in turn.
make_vm_bundle() {
    local dir=$1; shift
    mkdir -p "$dir"
    ln -sfn "$KVM_FIXTURE_ROOTFS" "$dir/rootfs"
    cat >"$dir/config.json" <<'JSON'
{
  "ociVersion": "1.0.2",
  "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/",
              "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"],
              "capabilities": {"bounding": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
                               "effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
                               "permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"]},
              "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}], "noNewPrivileges": true},
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "vmbox",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup2", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]}
  ],
  "annotations": {"io.mogu.isolation": "vm"},
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "network"}, {"type": "cgroup"}],
    "maskedPaths": ["/proc/kcore", "/proc/keys", "/sys/firmware"],
    "readonlyPaths": ["/proc/bus", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
JSON
    local f
    for f in ".linux.cgroupsPath = \"$KVM_CGROUP_PARENT/$(basename "$dir")\"" "$@"; do
        jq "$f" "$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
    done
}

# The container's host cgroup directories (every hierarchy), existing or not.
kvm_cgroup_dirs() {
    local id=$1 m
    for m in $(cgroup_mounts); do
        echo "$m$KVM_CGROUP_PARENT/$id"
    done
}

# set_vm_args DIR ARG...: the process's args, each as it is (NUL-separated to jq, as runtime.bash's
# set_args: an argument with a newline stays one argument).
set_vm_args() {
    local dir=$1; shift
    jq --rawfile raw <(printf '%s\0' "$@") '.process.args = ($raw | split("\u0000") | .[:-1])' \
        "$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

# vm_create_reaped ID BUNDLE: create under kvm_reaper.py (a shim's stand-in), so the keeper's
# exit status lands in $KVM_TMP/ID.status; stdout/stderr of the container go to ID.out/ID.err.
vm_create_reaped() {
    local id=$1 bundle=$2
    rm -f "$KVM_TMP/$id.status" "$KVM_TMP/$id.pid"
    python3 "$KVM_HELPERS/kvm_reaper.py" "$KVM_TMP/$id.pid" "$KVM_TMP/$id.status" -- \
        "$MOGU_VM" --root "$ROOT" --log "$KVM_TMP/$id.log" --log-format json create --bundle "$bundle" \
        --pid-file "$KVM_TMP/$id.pid" "$id" </dev/null >"$KVM_TMP/$id.out" 2>"$KVM_TMP/$id.err" 3>&- &
    wait_for 120 test -s "$KVM_TMP/$id.pid" -o -s "$KVM_TMP/$id.status"
    if [[ -s $KVM_TMP/$id.status ]]; then
        echo "create $id failed: $(cat "$KVM_TMP/$id.status")" >&2
        cat "$KVM_TMP/$id.err" >&2
        return 1
    fi
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds; fails after SECONDS.
wait_for() {
    local limit=$(( $1 * 10 )); shift
    local i
    for ((i = 0; i < limit; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# What a container left behind: keeper or QEMU processes, disk images, state. Empty when clean.
kvm_leftovers() {
    local id=$1
    [[ -e $ROOT/$id ]] && echo "state directory $ROOT/$id"
    local images
    images=$(ls "$MOGU_VM_DISKS" 2>/dev/null | grep "^$id-")
    [[ -n $images ]] && echo "disk images: $images"
    local d
    for d in $(kvm_cgroup_dirs "$id"); do [[ -d $d ]] && echo "cgroup $d"; done
    pgrep -af "qemu-system.*$ROOT/$id/" | sed 's/^/QEMU: /'
    pgrep -af "mogu-vm --root $ROOT .*create.* $id\$" | sed 's/^/keeper: /'
    return 0
}

assert_nothing_left() {
    local left
    left=$(kvm_leftovers "$1")
    [[ -z $left ]] || { echo "left behind: $left" >&2; return 1; }
}
