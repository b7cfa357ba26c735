#!/usr/bin/env bats
# Upgrades without restarts: what a package upgrade does to a node while containers run.
#   - mogu and containerd-shim-mogu-v2 replaced on disk (a new file renamed over the old one, as
#     dpkg does): the running shims keep serving their containers from the old, deleted inode;
#     new containers get the new shim; the old shims run the new mogu for exec, kill and delete.
#   - containerd replaced the same way and restarted: running containers are taken up again.
#   - dockerd run with --live-restore and restarted: the container keeps running and docker exec,
#     docker stop and docker rm work afterwards.
# Each daemon is private to its test; the binaries upgraded are copies in a temp directory.

load lib/containerd
load lib/docker

RUNTIME=io.containerd.mogu.v2

setup() {
    if why=$(containerd_missing); then skip "$why"; fi
    [[ -x $MOGU_BIN/mogu ]] || skip "$MOGU_BIN/mogu not built"
    UPG_BIN=$(mktemp -d /tmp/mogu-upgrade-bin.XXXXXX)
    cp "$MOGU_BIN/mogu" "$MOGU_BIN/containerd-shim-mogu-v2" "$UPG_BIN/"
}

teardown() {
    [[ -z ${CTD_DIR:-} ]] || stop_containerd
    [[ -z ${DKR_DIR:-} ]] || stop_dockerd
    [[ -z ${UPG_BIN:-} ]] || rm -rf "$UPG_BIN"
}

# upgrade_in_place FILE SOURCE: puts a copy of SOURCE at FILE the way a package manager does:
# written beside it, then renamed over it. Processes running FILE keep the old inode.
upgrade_in_place() {
    cp "$2" "$1.dpkg-new"
    mv -f "$1.dpkg-new" "$1"
}

shim_pid_of() { cat "$CTD_DIR/state/io.containerd.runtime.v2.task/$CTD_NS/$1/shim.pid"; }
exe_inode() { stat -L -c %i "/proc/$1/exe"; }

# wait_exit PID WHAT: fails, naming WHAT, unless PID is gone within 10 s.
wait_exit() {
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    echo "$2 ($1) is still running" >&2
    return 1
}

@test "mogu and its shim replaced on disk: old shims keep their containers, new containers get the new binaries" {
    MOGU_BIN=$UPG_BIN start_containerd
    ctr_ run -d --runtime $RUNTIME $CTD_IMAGE old1 /bin/sleep 300 </dev/null
    wait_task_state old1 RUNNING
    local old_shim old_inode
    old_shim=$(shim_pid_of old1)
    old_inode=$(exe_inode "$old_shim")
    [ "$old_inode" = "$(stat -c %i "$UPG_BIN/containerd-shim-mogu-v2")" ]

    upgrade_in_place "$UPG_BIN/containerd-shim-mogu-v2" "$MOGU_BIN/containerd-shim-mogu-v2"
    upgrade_in_place "$UPG_BIN/mogu" "$MOGU_BIN/mogu"
    local new_inode
    new_inode=$(stat -c %i "$UPG_BIN/containerd-shim-mogu-v2")
    [ "$new_inode" != "$old_inode" ]
    # The old shim runs on, from the old inode, which the kernel now calls deleted.
    kill -0 "$old_shim"
    [ "$(exe_inode "$old_shim")" = "$old_inode" ]
    [[ $(readlink "/proc/$old_shim/exe") == *" (deleted)" ]]

    # A new container gets the new shim.
    ctr_ run -d --runtime $RUNTIME $CTD_IMAGE new1 /bin/sleep 300 </dev/null
    wait_task_state new1 RUNNING
    [ "$(exe_inode "$(shim_pid_of new1)")" = "$new_inode" ]

    # The old shim still serves its container, through the new mogu: exec, pause, resume, kill.
    run ctr_ task exec --exec-id after old1 /bin/echo served by the old shim </dev/null
    [ "$status" -eq 0 ]
    [[ $output == *"served by the old shim"* ]]
    ctr_ task pause old1
    wait_task_state old1 PAUSED
    ctr_ task resume old1
    wait_task_state old1 RUNNING
    local t
    for t in old1 new1; do
        ctr_ task kill -s SIGKILL $t
        wait_task_state $t STOPPED
        ctr_ task delete $t
        ctr_ containers delete $t
        [[ ! -e $(runtime_root)/$t ]] || { echo "runtime state of $t left"; return 1; }
    done
    wait_exit "$old_shim" "the old shim, after its container was deleted"
}

@test "containerd replaced on disk and restarted: its running containers are taken up again" {
    command -v containerd >/dev/null
    cp "$(command -v containerd)" "$UPG_BIN/containerd"
    MOGU_BIN=$UPG_BIN start_containerd
    [ "$(readlink "/proc/$CTD_PID/exe")" = "$UPG_BIN/containerd" ]
    ctr_ run -d --runtime $RUNTIME $CTD_IMAGE kept1 /bin/sleep 300 </dev/null
    wait_task_state kept1 RUNNING
    local shim init
    shim=$(shim_pid_of kept1)
    init=$(ctr_ task ls | awk '$1 == "kept1" {print $2}')

    upgrade_in_place "$UPG_BIN/containerd" "$(command -v containerd)"
    kill "$CTD_PID"
    wait_exit "$CTD_PID" "containerd, sent SIGTERM"
    kill -0 "$shim"
    kill -0 "$init"
    MOGU_BIN=$UPG_BIN launch_containerd
    [ "$(stat -L -c %i "/proc/$CTD_PID/exe")" = "$(stat -c %i "$UPG_BIN/containerd")" ]

    wait_task_state kept1 RUNNING
    [ "$(ctr_ task ls | awk '$1 == "kept1" {print $2}')" = "$init" ]
    run ctr_ task exec --exec-id after kept1 /bin/echo still managed </dev/null
    [ "$status" -eq 0 ]
    [[ $output == *"still managed"* ]]
    ctr_ task kill -s SIGKILL kept1
    wait_task_state kept1 STOPPED
    ctr_ task delete kept1
    ctr_ containers delete kept1
    [[ ! -e $(runtime_root)/kept1 ]]
    wait_exit "$shim" "the shim, after its container was deleted"
}

@test "dockerd --live-restore restarted: the container keeps running; docker exec, stop and rm work after" {
    if why=$(dockerd_missing); then skip "$why"; fi
    DKR_EXTRA_ARGS=--live-restore start_dockerd
    docker_ run -d --runtime mogu --name live1 "$DKR_IMAGE" /bin/sleep 300
    local pid
    pid=$(docker_ inspect -f '{{.State.Pid}}' live1)
    [ "$pid" -gt 0 ]

    halt_dockerd
    kill -0 "$pid" || { echo "the container's process $pid died with dockerd"; return 1; }
    DKR_EXTRA_ARGS=--live-restore launch_dockerd

    [ "$(docker_ inspect -f '{{.State.Running}} {{.State.Pid}}' live1)" = "true $pid" ]
    run docker_ exec live1 /bin/echo after the restart
    [ "$status" -eq 0 ]
    [ "$output" = "after the restart" ]
    local id
    id=$(docker_ inspect -f '{{.Id}}' live1)
    # dockerd's runc shim runs mogu with --root <exec root>/runtime-runc/moby.
    [ -d "$DKR_DIR/exec/runtime-runc/moby/$id" ]
    docker_ stop -t 1 live1
    [ "$(docker_ inspect -f '{{.State.Running}}' live1)" = false ]
    wait_exit "$pid" "the container's process, after docker stop"
    docker_ rm live1
    [ ! -e "$DKR_DIR/exec/runtime-runc/moby/$id" ]
}
