#!/usr/bin/env bats
# A host block device as the VM's disk, without a copy (io.mogu.vm.rootfs-device): what the shim
# passes for the snapshotter's thin device. This host has no device-mapper, so a loop device over
# an ext4 image of the fixture rootfs stands in for it; QEMU opens any block device the same way.
# One boot; the refusals are checked before any boot.

load kvm_lib

setup_file() {
    export KVM_SKIP
    KVM_SKIP=$(kvm_missing)
    [[ -n $KVM_SKIP ]] && return 0
    command -v losetup >/dev/null || { KVM_SKIP="losetup is missing (apt-get install mount)"; return 0; }
    kvm_setup_dirs
    truncate -s 64M "$KVM_TMP/thin.img"
    mkfs.ext4 -q -F -O ^has_journal -d "$KVM_FIXTURE_ROOTFS" "$KVM_TMP/thin.img"
    export LOOP
    LOOP=$(losetup -f --show "$KVM_TMP/thin.img")
}

teardown_file() {
    [[ -n ${KVM_SKIP:-} ]] && return 0
    umount "$KVM_TMP/mnt" 2>/dev/null || true
    [[ -n ${LOOP:-} ]] && losetup -d "$LOOP"
    kvm_teardown_dirs
}

setup() {
    [[ -z $KVM_SKIP ]] || skip "$KVM_SKIP"
}

# device_bundle DIR DEVICE [JQ_FILTER...]: a bundle whose rootfs is an empty directory (as the shim
# leaves it) and whose disk is DEVICE, with a writable root.
device_bundle() {
    local dir=$1 dev=$2; shift 2
    make_vm_bundle "$dir" ".annotations[\"io.mogu.vm.rootfs-device\"] = \"$dev\"" \
        '.annotations["io.mogu.vm.rootfs-options"] = "noatime"' '.root.readonly = false' "$@"
    rm -f "$dir/rootfs"
    mkdir "$dir/rootfs"
}

@test "the container runs from the block device, and its writes are in the device after delete" {
    device_bundle "$KVM_TMP/dev" "$LOOP"
    set_vm_args "$KVM_TMP/dev" sh -c 'grep " / " /proc/mounts | cut -d" " -f3,4; cat /etc/hostname; echo written-in-vm >/from-vm; sync'
    vm run --bundle "$KVM_TMP/dev" devrun </dev/null >"$KVM_TMP/dev.out" 2>"$KVM_TMP/dev.err" || rc=$?
    cat "$KVM_TMP/dev.out" "$KVM_TMP/dev.err"
    [ "${rc:-0}" -eq 0 ]
    # ext4 mounted with the options given, the image's files
    [[ $(sed -n 1p "$KVM_TMP/dev.out") == "ext4 rw,noatime"* ]]
    [ "$(sed -n 2p "$KVM_TMP/dev.out")" = "$(cat "$KVM_FIXTURE_ROOTFS/etc/hostname")" ]
    assert_nothing_left devrun
    # The device is still there, with the container's write in it.
    losetup "$LOOP" | grep -q thin.img
    [ "$(debugfs -R 'cat /from-vm' "$LOOP" 2>/dev/null)" = "written-in-vm" ]
    [ -z "$(ls "$KVM_TMP/dev/rootfs")" ]
    [ -z "$(ls "$MOGU_VM_DISKS" 2>/dev/null)" ]
}

@test "a block device mounted on the host is refused, naming it and where it is mounted" {
    mkdir -p "$KVM_TMP/mnt"
    mount -o ro "$LOOP" "$KVM_TMP/mnt"
    device_bundle "$KVM_TMP/mounted" "$LOOP"
    run vm create --bundle "$KVM_TMP/mounted" mounted
    umount "$KVM_TMP/mnt"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"io.mogu.vm.rootfs-device"*"$LOOP"*"is mounted on the host at $KVM_TMP/mnt"* ]]
    assert_nothing_left mounted
}

@test "a path that is not a block device, or does not exist, is refused before any boot" {
    device_bundle "$KVM_TMP/file" "$KVM_TMP/thin.img"
    run vm create --bundle "$KVM_TMP/file" notblock
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"io.mogu.vm.rootfs-device"*"$KVM_TMP/thin.img is not a block device"* ]]
    assert_nothing_left notblock

    device_bundle "$KVM_TMP/missing" /dev/mogu-no-such-device
    run vm create --bundle "$KVM_TMP/missing" missing
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"io.mogu.vm.rootfs-device"*"/dev/mogu-no-such-device: No such file or directory"* ]]
    assert_nothing_left missing
}

@test "a filesystem the guest cannot mount is refused, naming the annotation" {
    device_bundle "$KVM_TMP/xfs" "$LOOP" '.annotations["io.mogu.vm.rootfs-fstype"] = "xfs"'
    run vm create --bundle "$KVM_TMP/xfs" xfs
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"annotations.io.mogu.vm.rootfs-fstype"*"xfs"* ]]
    assert_nothing_left xfs
}
