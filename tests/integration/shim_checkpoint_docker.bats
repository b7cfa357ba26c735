#!/usr/bin/env bats
# docker checkpoint create / docker start --checkpoint with mogu as Docker's runtime, through a
# private dockerd 20.10 in experimental mode. Docker drives mogu through containerd's runc shim
# (go-runc's checkpoint and restore command lines), with the criu `make deps` builds.

load lib/docker

CRIU=${MOGU_CRIU:-/opt/mogu/criu/sbin/criu}
# The counter writes its value in place, always 8 digits wide (dd conv=notrunc), so /tmp/count
# keeps one size from the first write on. criu records the size of every file a process has
# open and a restore refuses a file whose size changed since the dump ("has bad size"): with
# --leave-running the container goes on writing after the dump, and a dump that caught the
# shell inside "echo >/tmp/count" (file truncated, then rewritten longer) could not be restored.
# runc and crun behave the same; docs/migration.md says so.
COUNTER='i=0; printf %08d 0 >/tmp/count; while :; do i=$((i+1)); printf %08d $i | dd of=/tmp/count conv=notrunc 2>/dev/null; sleep 0.05; done'

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    if why=$(dockerd_missing); then
        export DKR_SKIP=$why
        return 0
    fi
    if [[ ! -x $CRIU ]] || ! "$CRIU" --version >/dev/null 2>&1; then
        export DKR_SKIP="criu 4.1 is not built at $CRIU (run make deps)"
        return 0
    fi
    # dockerd's containerd unpacks each checkpoint to restore into $XDG_RUNTIME_DIR (else /tmp)
    # as ctrd-checkpoint* and never removes it: keep those in a folder of this suite.
    CKPT_XDG=$(mktemp -d /tmp/mogu-dkckpt.XXXXXX)
    export CKPT_XDG
    # The runc shim under dockerd runs criu through mogu; mogu finds /opt/mogu/criu itself.
    XDG_RUNTIME_DIR=$CKPT_XDG DKR_EXTRA_ARGS=--experimental start_dockerd
    export DKR_DIR DKR_SOCK
}

teardown_file() {
    [[ -n ${DKR_SKIP:-} ]] && return 0
    stop_dockerd
    rm -rf "$CKPT_XDG"
}

setup() {
    [[ -z ${DKR_SKIP:-} ]] || skip "$DKR_SKIP"
}

# The counter's value (base 10: it has leading zeros); a read that is not a number is retried.
count_of() {
    local c
    for _ in $(seq 20); do
        c=$(docker_ exec "$1" cat /tmp/count) && [[ $c =~ ^[0-9]+$ ]] && { echo "$((10#$c))"; return 0; }
        sleep 0.05
    done
    echo "no count from $1 (last read: \"$c\")" >&2
    return 1
}

wait_for_count() {
    local c
    for _ in $(seq 100); do
        c=$(count_of "$1" 2>/dev/null) && [[ $c -gt $2 ]] && return 0
        sleep 0.1
    done
    echo "the counter of $1 did not pass $2 (last: ${c:-none})" >&2
    return 1
}

# docker start --checkpoint CP NAME, through dockerd 20.10's known race (moby/moby#42900):
# `docker checkpoint create` leaves the checkpoint's blob in its containerd's content store until
# containerd's garbage collector happens to run, and `docker start --checkpoint` uploads the same
# blob again and fails on it ("content sha256:...: already exists"; newer dockerd ignores that).
# It has nothing to do with the runtime (runc's users meet it too). As docs/migration.md tells
# users, the blob is removed with ctr and the start tried once more; any other error fails.
start_from_checkpoint() {
    local out digest
    out=$(docker_ start --checkpoint "$1" "$2" 2>&1) && return 0
    if ! digest=$(grep -o 'content sha256:[0-9a-f]*: already exists' <<<"$out" | grep -o 'sha256:[0-9a-f]*'); then
        echo "$out" >&2
        return 1
    fi
    echo "# dockerd's checkpoint upload race (moby/moby#42900): removed $digest, starting again" >&3
    ctr --address "$DKR_DIR/exec/containerd/containerd.sock" --namespace moby content rm "$digest" >/dev/null
    docker_ start --checkpoint "$1" "$2"
}

# Nothing of container ID is left: no runc shim, no mogu state, no cgroup, no rootfs mount.
assert_nothing_left() {
    local id=$1
    if pgrep -f "containerd-shim-runc-v2 .*-id $id .*$DKR_DIR" >/dev/null; then echo "shim of $id still running"; return 1; fi
    [[ ! -e $DKR_DIR/exec/runtime-runc/moby/$id ]] || { echo "mogu state of $id left"; return 1; }
    [[ ! -e $DKR_DIR/exec/containerd/daemon/io.containerd.runtime.v2.task/moby/$id ]] || { echo "bundle of $id left"; return 1; }
    if grep -q "$id/rootfs" /proc/self/mounts; then echo "rootfs of $id still mounted"; return 1; fi
    local m
    for m in $(cgroup_mounts); do
        [[ ! -e $m/docker/$id ]] || { echo "cgroup $m/docker/$id left"; return 1; }
    done
}

@test "docker checkpoint create stops the container; docker start --checkpoint continues the count" {
    docker_ run -d --name dc1 --runtime mogu --network none $DKR_IMAGE sh -c "$COUNTER"
    local id
    id=$(docker_ inspect -f '{{.Id}}' dc1)
    wait_for_count dc1 20
    local before
    before=$(count_of dc1)
    docker_ checkpoint create dc1 cp1
    [ "$(docker_ inspect -f '{{.State.Running}}' dc1)" = false ]
    docker_ checkpoint ls dc1 | grep -qx cp1
    # The dump ended the container and mogu deleted it; the runc shim took mogu's "does not
    # exist" from delete as done, so nothing of the old task is left to block the restore.
    [[ ! -e $DKR_DIR/exec/runtime-runc/moby/$id ]]

    start_from_checkpoint cp1 dc1
    [ "$(docker_ inspect -f '{{.State.Running}}' dc1)" = true ]
    local first
    first=$(count_of dc1)
    [ "$first" -ge "$before" ]
    wait_for_count dc1 "$((first + 3))"
    docker_ rm -f dc1
    assert_nothing_left "$id"
}

@test "docker checkpoint create --leave-running; after a stop, docker start --checkpoint restores it" {
    docker_ run -d --name dc2 --runtime mogu --network none $DKR_IMAGE sh -c "$COUNTER"
    local id
    id=$(docker_ inspect -f '{{.Id}}' dc2)
    wait_for_count dc2 20
    local before
    before=$(count_of dc2)
    docker_ checkpoint create --leave-running dc2 cp2
    [ "$(docker_ inspect -f '{{.State.Running}}' dc2)" = true ]
    wait_for_count dc2 "$((before + 5))"
    docker_ stop -t 1 dc2
    start_from_checkpoint cp2 dc2
    local first
    first=$(count_of dc2)
    [ "$first" -ge "$before" ]
    wait_for_count dc2 "$((first + 3))"
    docker_ checkpoint rm dc2 cp2
    docker_ rm -f dc2
    assert_nothing_left "$id"
}
