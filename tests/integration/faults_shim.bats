#!/usr/bin/env bats
# Fault injection in the shim, through a real containerd: at each failpoint of the shim's Create,
# Start and Delete (docs/reliability.md) the shim is killed with SIGKILL, or the step fails with
# ENOSPC. After each case the clean-up a user runs (`ctr task delete -f`, `ctr containers rm`)
# must leave no container process, shim, runtime state, bundle, mount or cgroup, and a bystander
# container must keep running. containerd runs the failpoint build of the shim
# (build-fp/bin/containerd-shim-mogu-v2, `make failpoint-binaries`), which reads the failpoint
# from the file MOGU_FAILPOINT_FILE names at every step, so one containerd serves every case.

load lib/containerd

RUNTIME=io.containerd.mogu.v2
FP_BIN=${MOGU_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}/${FP_BUILD:-build-fp}/bin
ACTIONS=(kill enospc)

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    local why
    if why=$(containerd_missing); then
        export SKIP_WHY=$why
        return 0
    fi
    [[ -x $FP_BIN/containerd-shim-mogu-v2 && -x $FP_BIN/mogu ]] ||
        { export SKIP_WHY="the failpoint build is missing in $FP_BIN (make failpoint-binaries)"; return 0; }
    export FP_DIR
    FP_DIR=$(mktemp -d /tmp/mogu-faults-shim.XXXXXX)
    export MOGU_FAILPOINT_FILE=$FP_DIR/failpoint
    : >"$MOGU_FAILPOINT_FILE"
    # containerd finds the shim on its PATH (lib/containerd puts MOGU_BIN first).
    MOGU_BIN=$FP_BIN start_containerd
    export CTD_DIR CTD_SOCK
    export MARK=52$$
    ctr_ run -d --runtime $RUNTIME $CTD_IMAGE fs-bystander sleep 61$$ </dev/null
}

teardown_file() {
    [[ -n ${SKIP_WHY:-} ]] && return 0
    stop_containerd
    rm -rf "$FP_DIR"
}

setup() { [[ -z ${SKIP_WHY:-} ]] || skip "$SKIP_WHY"; }

# ctr_ under a time limit (timeout cannot run a shell function).
ctr_within() { local t=$1; shift; timeout "$t" ctr --address "$CTD_SOCK" --namespace "$CTD_NS" "$@"; }
arm() { echo "$1" >"$MOGU_FAILPOINT_FILE"; }
disarm() { : >"$MOGU_FAILPOINT_FILE"; }

# What a user runs after a failed or stuck container.
clean_up() {
    ctr_ task kill -s SIGKILL "$1" >/dev/null 2>&1 || true
    ctr_within 30 task delete -f "$1" >/dev/null 2>&1 || true
    ctr_within 30 containers rm "$1" >/dev/null 2>&1 || true
}

# Nothing of container $1 is left, and the bystander runs; prints what is left otherwise.
nothing_left() {
    local id=$1 left=""
    ctr_ task ls -q | grep -qx "$id" && left+=" task"
    ctr_ containers ls -q | grep -qx "$id" && left+=" container"
    pgrep -f "^sleep $MARK\$" >/dev/null && left+=" process(sleep $MARK)"
    pgrep -f "containerd-shim-mogu-v2 .*-id $id( |\$)" >/dev/null && left+=" shim"
    [[ -e $(runtime_root)/$id ]] && left+=" state($(runtime_root)/$id)"
    [[ -e $CTD_DIR/state/io.containerd.runtime.v2.task/$CTD_NS/$id ]] && left+=" bundle"
    grep -q "/$id/" /proc/self/mounts && left+=" mount"
    local cg
    cg=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d -name "$id" 2>/dev/null | head -3)
    [[ -z $cg ]] || left+=" cgroup($cg)"
    ctr_ task ls | grep -q '^fs-bystander .*RUNNING' || left+=" bystander-not-running"
    [[ -z $left ]] && return 0
    echo "$id: left behind:$left" >&2
    return 1
}

# The failure containerd passed on is the one injected: the shim gone, or the step's errno.
injected() {
    local fp=$1 action=$2
    case $action in
        kill) grep -q 'ttrpc: closed' "$FP_DIR/out" ;;
        enospc) grep -q "failpoint $fp: No space left on device" "$FP_DIR/out" ;;
    esac || { echo "$fp:$action: not the injected failure: $(cat "$FP_DIR/out")" >&2; return 1; }
}

# create_case FAILPOINT ACTION: `ctr run -d` with the failpoint armed must fail, then nothing is left.
create_case() {
    local fp=$1 action=$2 id="fs-${1//./-}-$2"
    arm "$fp:$action"
    local rc=0
    ctr_within 60 run -d --runtime $RUNTIME $CTD_IMAGE "$id" sleep $MARK </dev/null >"$FP_DIR/out" 2>&1 || rc=$?
    disarm
    echo "# $fp:$action: ctr run exit $rc: $(tr '\n' ' ' <"$FP_DIR/out" | cut -c1-160)" >&3
    [[ $rc -ne 0 ]] || { echo "$fp:$action: ctr run succeeded" >&2; clean_up "$id"; return 1; }
    injected "$fp" "$action" || { clean_up "$id"; return 1; }
    clean_up "$id"
    nothing_left "$id"
}

@test "shim Create: killed or failing at every step, ctr's clean-up leaves nothing" {
    local fp action
    for fp in shim.create.options shim.create.rootfs shim.create.runtime shim.create.created shim.create.reply; do
        for action in "${ACTIONS[@]}"; do create_case "$fp" "$action"; done
    done
}

@test "shim Start: killed or failing at every step, ctr's clean-up leaves nothing" {
    local fp action
    for fp in shim.start.runtime shim.start.started; do
        for action in "${ACTIONS[@]}"; do create_case "$fp" "$action"; done
    done
}

@test "shim Delete: killed or failing at every step, a second delete leaves nothing" {
    local fp action id rc
    for fp in shim.delete.runtime shim.delete.removed shim.delete.unmounted; do
        for action in "${ACTIONS[@]}"; do
            id="fs-${fp//./-}-$action"
            ctr_ run -d --runtime $RUNTIME $CTD_IMAGE "$id" sleep $MARK </dev/null
            ctr_ task kill -s SIGKILL "$id"
            arm "$fp:$action"
            rc=0
            ctr_within 30 task delete "$id" >"$FP_DIR/out" 2>&1 || rc=$?
            disarm
            echo "# $fp:$action: ctr task delete exit $rc: $(tr '\n' ' ' <"$FP_DIR/out" | cut -c1-160)" >&3
            [[ $rc -ne 0 ]] && injected "$fp" "$action" || { clean_up "$id"; return 1; }
            clean_up "$id"
            nothing_left "$id"
        done
    done
}

# restart_case FAILPOINT: `ctr run -d` pauses in the shim at FAILPOINT, containerd is killed with
# SIGKILL there, the shim is released, containerd restarted. The container must then be whole
# (a task containerd knows, which starts and runs) or gone (no task, process or shim); either way
# the clean-up leaves nothing.
restart_case() {
    local fp=$1 id="fs-restart-${1//./-}"
    arm "$fp:pause"
    ctr_within 90 run -d --runtime $RUNTIME $CTD_IMAGE "$id" sleep $MARK </dev/null >"$FP_DIR/out" 2>&1 &
    local client=$! i
    for i in $(seq 100); do grep -q "failpoint $fp: paused" "$CTD_DIR/containerd.log" && break; sleep 0.2; done
    grep -q "failpoint $fp: paused" "$CTD_DIR/containerd.log" || { disarm; wait $client; echo "$fp never paused: $(cat "$FP_DIR/out")" >&2; return 1; }
    kill -9 "$(cat "$CTD_DIR/containerd.pid")"
    disarm
    wait $client || true
    MOGU_BIN=$FP_BIN launch_containerd
    local state
    state=$(ctr_ task ls | awk -v id="$id" '$1 == id { print $3 }')
    echo "# containerd killed at $fp:pause, restarted: task ${state:-gone}" >&3
    case $state in
        "")
            if pgrep -f "^sleep $MARK\$" >/dev/null; then echo "$fp: no task, but its process runs" >&2; return 1; fi ;;
        CREATED)
            # ctr cannot start a task it did not just create (the kubelet's StartContainer can):
            # whole means its init waits, and the runtime has it as created at that pid.
            local pid
            pid=$(ctr_ task ls | awk -v id="$id" '$1 == id { print $2 }')
            kill -0 "$pid" || { echo "$fp: CREATED task's init $pid is gone" >&2; return 1; }
            "$MOGU_BIN/mogu" --root "$(runtime_root)" state "$id" | jq -e --argjson p "$pid" '.status == "created" and .pid == $p' >/dev/null ||
                { echo "$fp: the runtime does not have $id created at pid $pid" >&2; return 1; } ;;
        RUNNING)
            ctr_within 30 task exec --exec-id probe "$id" true || { echo "$fp: exec into the task fails" >&2; return 1; } ;;
        *) echo "$fp: task in state $state after the restart" >&2; return 1 ;;
    esac
    clean_up "$id"
    nothing_left "$id"
}

@test "containerd killed mid-create and restarted: the container is whole or gone, never half" {
    restart_case shim.create.runtime
    restart_case shim.create.created
    restart_case shim.start.runtime
}
