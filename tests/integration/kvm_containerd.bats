#!/usr/bin/env bats
# VM containers through containerd 1.6: the runtime io.containerd.mogu-vm.v2 (the mogu shim
# installed as containerd-shim-mogu-vm-v2, which runs mogu-vm), and the plain mogu shim with
# the annotation io.mogu.isolation=vm (mogu hands the container to mogu-vm).

load lib/containerd
load kvm_lib

VM_RUNTIME=io.containerd.mogu-vm.v2

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    export KVM_SKIP
    KVM_SKIP=$(kvm_missing)
    [[ -z $KVM_SKIP ]] && ! why=$(containerd_missing) || KVM_SKIP=${KVM_SKIP:-$why}
    [[ -z $KVM_SKIP && ! -x $MOGU_BIN/containerd-shim-mogu-vm-v2 ]] && KVM_SKIP="$MOGU_BIN/containerd-shim-mogu-vm-v2 not built"
    [[ -n $KVM_SKIP ]] && return 0
    kvm_setup_dirs  # exports MOGU_VM_DISKS, which containerd passes on to the shims and mogu-vm
    start_containerd
    export CTD_DIR CTD_SOCK
}

teardown_file() {
    [[ -n ${KVM_SKIP:-} ]] && return 0
    stop_containerd
    kvm_teardown_dirs
}

setup() {
    [[ -z $KVM_SKIP ]] || skip "$KVM_SKIP"
    ROOT=/run/containerd/mogu/$CTD_NS  # the shim's --root for its runtime
}

guest_kernel() { "$MOGU_VM" kernel | awk '/^version/ {print $2}'; }

# Nothing of container ID is left: task, runtime state, keeper, QEMU, disk image, bundle.
assert_vm_container_gone() {
    local id=$1
    run ctr_ containers ls -q
    [[ $output != *"$id"* ]] || { echo "container $id still listed"; return 1; }
    [[ ! -e $CTD_DIR/state/io.containerd.runtime.v2.task/$CTD_NS/$id ]] || { echo "bundle of $id left"; return 1; }
    if pgrep -f "containerd-shim-mogu.* -id $id( |$)" >/dev/null; then echo "shim of $id still running"; return 1; fi
    assert_nothing_left "$id"
}

@test "ctr run --runtime io.containerd.mogu-vm.v2 IMG id uname -r prints the guest kernel's version" {
    run ctr_ run --rm --runtime $VM_RUNTIME $CTD_IMAGE vmuname uname -r </dev/null
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "$(guest_kernel)" ]
    [ "$output" != "$(uname -r)" ]
    assert_vm_container_gone vmuname
}

@test "the task's exit code and both output streams come back through containerd" {
    run ctr_ run --rm --runtime $VM_RUNTIME $CTD_IMAGE vmexit sh -c 'echo to-out; echo to-err >&2; exit 3' </dev/null
    [ "$status" -eq 3 ]
    [[ $output == *to-out* && $output == *to-err* ]]
    assert_vm_container_gone vmexit
}

@test "a detached VM task takes exec and kill, and delete leaves nothing" {
    ctr_ run -d --runtime $VM_RUNTIME --memory-limit 134217728 $CTD_IMAGE vmdet sh -c 'trap "exit 5" TERM; while :; do sleep 0.1; done' </dev/null
    run ctr_ task exec --exec-id e1 vmdet sh -c 'uname -r; awk "/MemTotal/ {print \$2}" /proc/meminfo'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$(guest_kernel)" ]
    # The VM is sized from --memory-limit: 128 MiB plus the guest's overhead (128 MiB).
    (( lines[1] > 128 * 1024 && lines[1] <= 256 * 1024 ))
    run ctr_ task ls
    [[ $output == *vmdet*RUNNING* ]]
    # The task's metrics are its cgroup in the guest (cgroup2): its memory limit, its processes.
    run ctr_ task metrics --format json vmdet
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $(jq -r .memory.usage_limit <<<"$output") == 134217728 ]]
    (( $(jq -r .pids.current <<<"$output") >= 1 ))
    ctr_ task kill -s SIGTERM vmdet
    for _ in $(seq 200); do
        [[ $(ctr_ task ls | awk '$1 == "vmdet" {print $3}') == STOPPED ]] && break
        sleep 0.1
    done
    run ctr_ task ls
    [[ $output == *vmdet*STOPPED* ]]
    ctr_ task delete vmdet
    ctr_ containers delete vmdet
    assert_vm_container_gone vmdet
}

@test "the plain mogu runtime runs a container annotated io.mogu.isolation=vm in a VM" {
    [[ -x $MOGU_BIN/mogu ]] || skip "mogu not built"
    run ctr_ run --rm --runtime io.containerd.mogu.v2 --annotation io.mogu.isolation=vm $CTD_IMAGE vmannot uname -r </dev/null
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "$(guest_kernel)" ]
    assert_vm_container_gone vmannot
}

@test "when QEMU dies under a task, containerd gets a task exit with status 255" {
    ctr_ events >"$KVM_TMP/events" 2>&1 3>&- &
    ev=$!
    ctr_ run -d --runtime $VM_RUNTIME $CTD_IMAGE vmcrash sh -c 'while :; do sleep 1; done' </dev/null
    qemu=$(pgrep -f "qemu-system.*$ROOT/vmcrash/")
    [ -n "$qemu" ]
    kill -9 $qemu
    for _ in $(seq 200); do
        [[ $(ctr_ task ls | awk '$1 == "vmcrash" {print $3}') == STOPPED ]] && break
        sleep 0.1
    done
    sleep 0.3
    kill $ev
    wait $ev 2>/dev/null || true
    grep '/tasks/exit' "$KVM_TMP/events"
    grep '/tasks/exit' "$KVM_TMP/events" | grep -q '"exit_status":255'
    ctr_ task delete vmcrash
    ctr_ containers delete vmcrash
    assert_vm_container_gone vmcrash
}
