#!/usr/bin/env bats
# Checkpoint and restore through containerd 1.6 and the mogu shim, with the criu `make deps`
# builds (/opt/mogu/criu): what a user of `ctr` sees. One containerd serves the whole file.
#
# ctr sends CheckpointOptions (--exit, --image-path, --work-path) only for runc's runtime names,
# so the --exit test runs this same shim under the name containerd-shim-runc-v2, from a folder
# of this suite put first on containerd's PATH; everything else uses io.containerd.mogu.v2.

load lib/containerd
load kvm_lib

RUNTIME=io.containerd.mogu.v2
CRIU=${MOGU_CRIU:-/opt/mogu/criu/sbin/criu}
COUNTER='i=0; while :; do i=$((i+1)); echo $i >/run/count; sleep 0.05; done'

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    if why=$(containerd_missing); then
        export CKPT_SKIP=$why
        return 0
    fi
    [[ -x $MOGU_BIN/mogu ]] || { export CKPT_SKIP="$MOGU_BIN/mogu not built"; return 0; }
    if [[ ! -x $CRIU ]] || ! "$CRIU" --version >/dev/null 2>&1; then
        export CKPT_SKIP="criu 4.1 is not built at $CRIU (run make deps)"
        return 0
    fi
    CKPT_DIR=$(mktemp -d /tmp/mogu-ckpt.XXXXXX)
    mkdir -p "$CKPT_DIR/bin" "$CKPT_DIR/xdg"
    ln -s "$MOGU_BIN/containerd-shim-mogu-v2" "$CKPT_DIR/bin/containerd-shim-runc-v2"
    # containerd 1.6 unpacks a checkpoint to restore into $XDG_RUNTIME_DIR/ctrd-checkpoint*
    # and never removes it: keep those inside this suite's folder.
    export XDG_RUNTIME_DIR=$CKPT_DIR/xdg
    # The VM test needs MOGU_VM_DISKS in containerd's environment (passed on to mogu-vm).
    KVM_SKIP=$(kvm_missing)
    [[ -n $KVM_SKIP ]] || kvm_setup_dirs
    PATH=$CKPT_DIR/bin:$PATH start_containerd
    export CTD_DIR CTD_SOCK CKPT_DIR KVM_SKIP KVM_TMP
}

teardown_file() {
    [[ -n ${CKPT_SKIP:-} ]] && return 0
    stop_containerd
    [[ -n $KVM_SKIP ]] || kvm_teardown_dirs
    rm -rf "$CKPT_DIR"
}

setup() {
    [[ -z ${CKPT_SKIP:-} ]] || skip "$CKPT_SKIP"
}

# The counter's value; the shell truncates the file before each write, so an empty read is retried.
exec_n=0
count_of() {
    local c
    for _ in $(seq 20); do
        exec_n=$((exec_n + 1))
        c=$(ctr_ task exec --exec-id "count$exec_n" "$1" cat /run/count </dev/null) && [[ $c =~ ^[0-9]+$ ]] && { echo "$c"; return 0; }
        sleep 0.05
    done
    echo "no count from $1 (last read: \"$c\")" >&2
    return 1
}

# wait_for_count ID N: until the container's counter is past N.
wait_for_count() {
    local c
    for _ in $(seq 100); do
        c=$(count_of "$1" 2>/dev/null) && [[ $c -gt $2 ]] && return 0
        sleep 0.1
    done
    echo "the counter of $1 did not pass $2 (last: ${c:-none})" >&2
    return 1
}

run_counter() { ctr_ run -d --runtime "${2:-$RUNTIME}" "${@:3}" $CTD_IMAGE "$1" sh -c "$COUNTER" </dev/null; }

remove_task() {
    ctr_ task kill -s SIGKILL "$1" 2>/dev/null || true
    wait_task_state "$1" STOPPED
    ctr_ task delete "$1"
    ctr_ containers delete "$1"
}

# Nothing of container ID is left: listing, runtime state, bundle, mounts, shim, cgroups.
assert_nothing_left() {
    local id=$1
    run ctr_ containers ls -q
    [[ $output != *"$id"* ]] || { echo "container $id still listed"; return 1; }
    [[ ! -e $(runtime_root)/$id ]] || { echo "runtime state $(runtime_root)/$id left"; return 1; }
    [[ ! -e $CTD_DIR/state/io.containerd.runtime.v2.task/$CTD_NS/$id ]] || { echo "bundle of $id left"; return 1; }
    if grep -q "/$id/rootfs " /proc/self/mounts; then echo "rootfs of $id still mounted"; return 1; fi
    if pgrep -f "containerd-shim-.* -address $CTD_SOCK .*-id $id( |$)" >/dev/null; then echo "shim of $id still running"; return 1; fi
    local m
    for m in $(cgroup_mounts); do
        [[ ! -e $m/$CTD_NS/$id ]] || { echo "cgroup $m/$CTD_NS/$id left"; return 1; }
    done
}

@test "ctr containers checkpoint --task leaves it running; ctr containers restore --live continues the count" {
    run_counter ck1
    wait_for_count ck1 20
    local before
    before=$(count_of ck1)
    ctr_ containers checkpoint --task ck1 mogu/ck1:cp
    # Left running (containerd paused it around the dump and resumed it): still counting.
    wait_task_state ck1 RUNNING
    wait_for_count ck1 "$((before + 5))"
    # containerd packed criu's images into its content store, under the checkpoint image.
    local index
    index=$(ctr_ images ls | awk '$1 == "mogu/ck1:cp" {print $3}')
    [ -n "$index" ]
    ctr_ content get "$index" | grep -q 'application/vnd.containerd.container.criu.checkpoint.criu.tar'
    remove_task ck1
    assert_nothing_left ck1

    ctr_ containers restore --live ck1 mogu/ck1:cp
    wait_task_state ck1 RUNNING
    local first
    first=$(count_of ck1)
    # From where the dump caught it (at least `before`), not from 1, and counting on.
    [ "$first" -ge "$before" ]
    wait_for_count ck1 "$((first + 3))"
    # An ordinary task afterwards: pause, resume, kill, delete.
    ctr_ task pause ck1
    wait_task_state ck1 PAUSED
    ctr_ task resume ck1
    wait_task_state ck1 RUNNING
    remove_task ck1
    ctr_ images rm mogu/ck1:cp >/dev/null
    assert_nothing_left ck1
}

@test "ctr tasks checkpoint stores a checkpoint image and the task keeps running" {
    run_counter tk1
    wait_for_count tk1 5
    run ctr_ tasks checkpoint tk1
    echo "$output"
    [ "$status" -eq 0 ]
    local image=$output
    [[ $image == containerd.io/checkpoint/tk1:* ]]
    ctr_ images ls | grep -F "$image"
    local before
    before=$(count_of tk1)
    wait_for_count tk1 "$((before + 3))"
    wait_task_state tk1 RUNNING
    ctr_ images rm "$image" >/dev/null
    remove_task tk1
    assert_nothing_left tk1
}

@test "--exit (runc's runtime name): the task stops after the dump, images in --image-path, no runtime state left" {
    local images=$CKPT_DIR/exit-images work=$CKPT_DIR/exit-work
    run_counter ex1 io.containerd.runc.v2
    wait_for_count ex1 5
    ctr_ tasks checkpoint --exit --image-path "$images" --work-path "$work" ex1
    [ -f "$images/inventory.img" ]
    [ -f "$images/descriptors.json" ]
    [ -f "$work/dump.log" ]   # a work path that was asked for is kept
    wait_task_state ex1 STOPPED
    # criu ended the processes and mogu deleted the container before the task was deleted.
    [[ ! -e $(runtime_root)/ex1 ]]
    ctr_ task delete ex1
    ctr_ containers delete ex1
    assert_nothing_left ex1
    rm -rf "$images" "$work"
}

@test "CriuPath naming a missing criu: checkpoint fails saying so, and the container keeps running" {
    printf 'CriuPath = "%s"\n' /nonexistent/criu >"$CKPT_DIR/missing-criu.toml"
    run_counter cp1 "$RUNTIME" --runtime-config-path "$CKPT_DIR/missing-criu.toml"
    wait_for_count cp1 5
    run ctr_ containers checkpoint --task cp1 mogu/cp1:cp
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"/nonexistent/criu"* ]]
    [[ $output == *"make deps"* ]]
    wait_task_state cp1 RUNNING
    local before
    before=$(count_of cp1)
    wait_for_count cp1 "$((before + 3))"
    run ctr_ images ls -q
    [[ $output != *mogu/cp1:cp* ]]
    remove_task cp1
    assert_nothing_left cp1
}

@test "CriuPath must be an absolute path" {
    printf 'CriuPath = "criu"\n' >"$CKPT_DIR/relative-criu.toml"
    run ctr_ run -d --runtime $RUNTIME --runtime-config-path "$CKPT_DIR/relative-criu.toml" $CTD_IMAGE cp2 true </dev/null
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"CriuPath"*"not an absolute path"* ]]
    ctr_ containers delete cp2 2>/dev/null || true
    assert_nothing_left cp2
}

@test "a container in a VM (io.mogu.isolation=vm) is refused with a clear message" {
    [[ -z $KVM_SKIP ]] || skip "$KVM_SKIP"
    ctr_ run -d --runtime $RUNTIME --annotation io.mogu.isolation=vm $CTD_IMAGE vm1 sleep 300 </dev/null
    wait_task_state vm1 RUNNING
    run ctr_ containers checkpoint --task vm1 mogu/vm1:cp
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"io.mogu.isolation=vm"*"cannot be checkpointed"* ]]
    wait_task_state vm1 RUNNING
    remove_task vm1
    assert_nothing_left vm1
}

@test "a restore that fails (CriuPath changed to a missing criu) says why and leaves nothing behind" {
    local config=$CKPT_DIR/changing-criu.toml
    printf 'CriuPath = "%s"\n' "$CRIU" >"$config"
    run_counter rf1 "$RUNTIME" --runtime-config-path "$config"
    wait_for_count rf1 5
    ctr_ containers checkpoint --task rf1 mogu/rf1:cp
    remove_task rf1
    # The restored container gets the same runtime options: the config file, read again.
    printf 'CriuPath = "%s"\n' /nonexistent/criu >"$config"
    run ctr_ containers restore --live rf1 mogu/rf1:cp
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"restore rf1"*"/nonexistent/criu"* ]]
    ctr_ task delete rf1 2>/dev/null || true
    ctr_ containers delete rf1
    ctr_ images rm mogu/rf1:cp >/dev/null
    assert_nothing_left rf1
}

@test "a checkpoint restored under another id runs beside the original; removing one leaves the other" {
    run_counter tw1
    wait_for_count tw1 20
    local before
    before=$(count_of tw1)
    ctr_ containers checkpoint --task tw1 mogu/tw1:cp
    ctr_ containers restore --live tw2 mogu/tw1:cp
    wait_task_state tw1 RUNNING
    wait_task_state tw2 RUNNING
    local first
    first=$(count_of tw2)
    [ "$first" -ge "$before" ]
    wait_for_count tw2 "$((first + 3))"
    # containerd restores the checkpointed spec as it was, linux.cgroupsPath included: the copy
    # shares the original's cgroup (as with the runc shim).
    local bundle=$CTD_DIR/state/io.containerd.runtime.v2.task/$CTD_NS/tw2
    [ "$(jq -r .linux.cgroupsPath "$bundle/config.json")" = "/$CTD_NS/tw1" ]
    remove_task tw2
    assert_nothing_left tw2
    # The original was not touched by the copy's removal.
    wait_task_state tw1 RUNNING
    local now
    now=$(count_of tw1)
    wait_for_count tw1 "$((now + 3))"
    remove_task tw1
    ctr_ images rm mogu/tw1:cp >/dev/null
    assert_nothing_left tw1
}
