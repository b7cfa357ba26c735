#!/usr/bin/env bats
# Fault injection in the runtime: at every failpoint of create, start, exec and delete (names in
# docs/reliability.md) mogu is killed with SIGKILL, or the step fails with ENOSPC, EMFILE or EINTR.
# After each case `mogu delete --force` must leave nothing (process, cgroup in any hierarchy,
# mount, state directory) and a bystander container must keep running. The failpoint build of
# mogu is build-fp/bin/mogu (`make failpoint-binaries`). One test per verb; each case is printed.

load lib/runtime

FP_MOGU=${MOGU_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}/${FP_BUILD:-build-fp}/bin/mogu
ACTIONS=(kill enospc emfile eintr)

setup() {
    runtime_setup
    [[ -x $FP_MOGU ]] || { echo "failpoint build missing at $FP_MOGU (run make failpoint-binaries)" >&2; return 1; }
    MOGU=$FP_MOGU
    CGROUP_PARENT=/mogu-faults-$$
    # Every case's process runs `sleep $MARK`; the bystander's runs another number.
    MARK=31$$
    BYSTANDER=by$BATS_TEST_NUMBER-$$
    # A createRuntime hook, so the hooks step is reached.
    make_bundle '.hooks = {"createRuntime": [{"path": "/bin/true"}]}'
    set_args sleep "41$$"
    ID=$BYSTANDER
    edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$BYSTANDER\""
    run_detached "$BYSTANDER"
    set_args sleep "$MARK"
    CASES=0
}

teardown() {
    # The full-filesystem test moves ROOT; its containers go first, then the usual ones.
    if [[ -n ${TEST_TMP:-} && ${ROOT:-} != "$TEST_TMP/state" ]]; then
        local id
        for id in $(mogu list -q 2>/dev/null); do mogu delete --force "$id" >/dev/null 2>&1 || true; done
        ROOT=$TEST_TMP/state
    fi
    runtime_teardown
}

# fault_case ID: point the bundle's cgroup at a cgroup of this case's own.
fresh_case() {
    ID=$1
    edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$ID\""
}

# fp_run SPEC ARGS...: runs mogu with MOGU_FAILPOINT=SPEC, sets $status and $output. Its stdio
# are files: a container's init left alive would hold a pipe (and `run`) open forever.
fp_run() {
    local spec=$1
    shift
    status=0
    MOGU_FAILPOINT=$spec timeout -s KILL 60 "$MOGU" --root "$ROOT" "$@" </dev/null >"$TEST_TMP/fp.out" 2>&1 || status=$?
    output=$(<"$TEST_TMP/fp.out")
}

# The failing command's status and message: non-zero for a kill, otherwise 1 (255 for exec, as runc) and the errno's text.
check_failure() {
    local fp=$1 action=$2
    case $action in
        # exec's child killed before execve closes the sync socket as a successful execve does:
        # exec reports success, as runc's does (the process "exited" at once, by SIGKILL).
        kill) [[ $status -ne 0 || $fp == exec.child ]] || { echo "$fp:$action: the command succeeded" >&2; return 1; } ;;
        enospc) [[ ($status -eq 1 || $status -eq 255) && $output == *"No space left on device"* ]] || { echo "$fp:$action: status $status: $output" >&2; return 1; } ;;
        emfile) [[ ($status -eq 1 || $status -eq 255) && $output == *"Too many open files"* ]] || { echo "$fp:$action: status $status: $output" >&2; return 1; } ;;
        eintr) [[ ($status -eq 1 || $status -eq 255) && $output == *"Interrupted system call"* ]] || { echo "$fp:$action: status $status: $output" >&2; return 1; } ;;
    esac
}

# Nothing of container $ID is left, and the bystander still runs.
check_clean() {
    local fp=$1 action=$2
    fp_run "" delete --force "$ID"
    [[ $status -eq 0 ]] || { echo "$fp:$action: delete --force failed: $output" >&2; return 1; }
    assert_nothing_left "$ID" || { echo "$fp:$action: leak" >&2; return 1; }
    local left
    left=$(pgrep -f "sleep $MARK\$" || true)
    [[ -z $left ]] || { echo "$fp:$action: process left: $left" >&2; return 1; }
    left=$(pgrep -f "mogu --root $ROOT .* $ID\$" || true)
    [[ -z $left ]] || { echo "$fp:$action: mogu process left: $(ps -o pid,stat,args -p "$left")" >&2; return 1; }
    [[ $(status_of "$BYSTANDER") == running ]] || { echo "$fp:$action: the bystander is $(status_of "$BYSTANDER")" >&2; return 1; }
    CASES=$((CASES + 1))
    echo "# $fp:$action: clean" >&3
}

@test "create: killed or failing at every step, delete --force leaves nothing" {
    local fp action
    for fp in create.state-dir create.config-copy create.cgroup create.exec-fifo create.clone create.init-setup \
              init.mounts create.hooks init.pivot init.ready create.ready create.state-written create.pid-file; do
        for action in "${ACTIONS[@]}"; do
            fresh_case "c$CASES-$$"
            fp_run "$fp:$action" create --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" "$ID"
            check_failure "$fp" "$action"
            check_clean "$fp" "$action"
        done
    done
    [ "$CASES" -eq 52 ]
}

@test "start: killed or failing at every step, delete --force leaves nothing" {
    local fp action
    for fp in start.open-fifo start.fifo-written start.poststart; do
        for action in "${ACTIONS[@]}"; do
            fresh_case "s$CASES-$$"
            mogu create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
            fp_run "$fp:$action" start "$ID"
            check_failure "$fp" "$action"
            check_clean "$fp" "$action"
        done
    done
    [ "$CASES" -eq 12 ]
}

@test "exec: killed or failing at every step, delete --force leaves nothing" {
    local fp action
    for fp in exec.namespaces exec.clone exec.child exec.pid-file; do
        for action in "${ACTIONS[@]}"; do
            fresh_case "e$CASES-$$"
            run_detached "$ID"
            fp_run "$fp:$action" exec -d --pid-file "$TEST_TMP/epid" "$ID" sleep "$MARK"
            check_failure "$fp" "$action"
            check_clean "$fp" "$action"
        done
    done
    [ "$CASES" -eq 16 ]
}

@test "delete: killed or failing at every step, the next delete --force leaves nothing" {
    local fp action
    for fp in delete.open delete.killed delete.cgroup delete.state-dir; do
        for action in "${ACTIONS[@]}"; do
            fresh_case "d$CASES-$$"
            run_detached "$ID"
            fp_run "$fp:$action" delete --force "$ID"
            check_failure "$fp" "$action"
            check_clean "$fp" "$action"
        done
    done
    [ "$CASES" -eq 16 ]
}

@test "a create of an id a killed create left reclaims that create's cgroup too, not only its directory" {
    fresh_case "r-$$"
    local old_cg=$CGROUP_PARENT/$ID-old d found=0
    edit_config ".linux.cgroupsPath = \"$old_cg\""
    fp_run "create.init-setup:kill" create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 137 ]
    [[ -f $ROOT/$ID/creating.json && ! -e $ROOT/$ID/state.json ]]
    [ "$(jq -r .cgroupPath "$ROOT/$ID/creating.json")" = "$old_cg" ]
    for d in $(cgroup_dirs_of "$ID-old"); do [[ -d $d ]] && found=1; done
    (( found ))
    # The same id again, from a config naming another cgroup (a retry after a fix): it is created,
    # and the killed create's cgroup is gone with its directory.
    edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$ID\""
    mogu create --bundle "$BUNDLE" "$ID" </dev/null
    [ "$(status_of "$ID")" = created ]
    [[ ! -e $ROOT/$ID/creating.json ]]
    for d in $(cgroup_dirs_of "$ID-old"); do [[ ! -d $d ]] || { echo "left: $d"; false; }; done
    mogu delete --force "$ID"
    assert_nothing_left "$ID"
}

@test "a failpoint that names no action kills, and an unknown action is refused by name" {
    fresh_case "u-$$"
    fp_run "create.cgroup:explode" create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *'unknown action "explode" for create.cgroup'* ]]
    check_clean create.cgroup explode
    fp_run "other.point:enospc,create.cgroup" create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 137 ]
    check_clean create.cgroup default
}

# fill_fs DIR: writes zeros into DIR until its filesystem has no block left.
fill_fs() { dd if=/dev/zero of="$1/filler" bs=4k status=none 2>/dev/null || true; }

@test "the state directory's filesystem full: create fails naming the file and leaves nothing; running containers can still be managed" {
    # A 512 kB tmpfs as the --root of this test's containers.
    local full=$TEST_TMP/full
    mkdir -p "$full"
    mount -t tmpfs -o size=512k mogu-full "$full"
    ROOT=$full/state
    mkdir -p "$ROOT"

    # A container made while there was room.
    fresh_case "fr-$$"
    run_detached "$ID"
    local running=$ID
    fill_fs "$full"

    # create: refused with the errno and the file it could not write, and nothing made.
    fresh_case "ff-$$"
    fp_run "" create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"No space left on device"* ]]
    [[ $output == *"$ROOT/$ID"* ]]
    assert_nothing_left "$ID"
    [ "$(pgrep -f "sleep $MARK\$" | wc -l)" -eq 1 ]   # the running container's only

    # The container made before still answers state, exec, kill and delete.
    [[ $(status_of "$running") == running ]]
    run mogu exec "$running" /bin/echo on a full disk
    [ "$status" -eq 0 ]
    [ "$output" = "on a full disk" ]
    mogu kill "$running" KILL
    for _ in $(seq 50); do [[ $(status_of "$running") == stopped ]] && break; sleep 0.1; done
    [[ $(status_of "$running") == stopped ]]
    mogu delete "$running"
    assert_nothing_left "$running"

    # Room again: create works.
    rm -f "$full/filler"
    fresh_case "fa-$$"
    fp_run "" run -d --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    mogu delete --force "$ID"
    assert_nothing_left "$ID"
    umount "$full"
    ROOT=$TEST_TMP/state
}
