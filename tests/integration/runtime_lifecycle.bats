#!/usr/bin/env bats
# The container lifecycle through mogu's runc-compatible command line.

load lib/runtime

setup() { runtime_setup; }
teardown() { runtime_teardown; }

@test "run prints the process's output and returns its exit code" {
    make_bundle
    set_args sh -c 'echo hello from the container; exit 3'
    run mogu run "$ID"
    [ "$status" -eq 3 ]
    [ "$output" = "hello from the container" ]
    assert_nothing_left
}

@test "run returns 128+signal when the process is killed" {
    make_bundle
    set_args sleep 100
    "$MOGU" --root "$ROOT" run "$ID" >"$TEST_TMP/out" 2>&1 &
    local runner=$!
    wait_for 'test "$(status_of "$ID")" = running'
    mogu kill "$ID" KILL
    local rc=0
    wait "$runner" || rc=$?
    [ "$rc" -eq 137 ]
    assert_nothing_left
}

@test "run forwards signals to the container's process" {
    make_bundle
    set_args sh -c 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.05; done'
    "$MOGU" --root "$ROOT" run "$ID" >"$TEST_TMP/out" 2>&1 &
    local runner=$!
    wait_for 'grep -q ready "$TEST_TMP/out"'
    kill -TERM "$runner"
    local rc=0
    wait "$runner" || rc=$?
    [ "$rc" -eq 7 ]
    grep -q "got TERM" "$TEST_TMP/out"
    assert_nothing_left
}

@test "run -d leaves a running container" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    [ "$(status_of "$ID")" = running ]
    mogu delete --force "$ID"
    assert_nothing_left
}

@test "create, start, state, kill and delete move through created, running and stopped" {
    make_bundle
    set_args sleep 100
    mogu create --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" "$ID"
    run mogu state "$ID"
    [ "$status" -eq 0 ]
    [ "$(jq -r .status <<<"$output")" = created ]
    [ "$(jq -r .id <<<"$output")" = "$ID" ]
    [ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
    [ "$(jq -r .pid <<<"$output")" = "$(cat "$TEST_TMP/pid")" ]
    [ "$(jq -r .ociVersion <<<"$output")" = 1.0.2 ]
    jq -e '.rootfs and .created and (.owner != null)' <<<"$output"
    # Created, the init has not run the user's program yet.
    ! grep -q sleep "/proc/$(cat "$TEST_TMP/pid")/cmdline" || false

    mogu start "$ID"
    [ "$(status_of "$ID")" = running ]
    wait_for 'grep -q sleep "/proc/$(cat "$TEST_TMP/pid")/cmdline"'

    mogu kill "$ID" KILL
    wait_for 'test "$(status_of "$ID")" = stopped'
    [ "$(mogu state "$ID" | jq .pid)" = 0 ]
    mogu delete "$ID"
    assert_nothing_left
}

@test "start twice fails with runc's message" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    run mogu start "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"cannot start an already running container"* ]]
}

@test "delete refuses a running container without --force and kills it with --force" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    run mogu delete "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"cannot delete container $ID that is not stopped: running"* ]]
    local pid
    pid=$(mogu state "$ID" | jq .pid)
    mogu delete --force "$ID"
    [ ! -e "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
    assert_nothing_left
}

@test "delete of a created container kills its waiting init" {
    make_bundle
    set_args sleep 100
    mogu create --bundle "$BUNDLE" "$ID"
    mogu delete "$ID"
    assert_nothing_left
}

@test "kill takes signal names and numbers, and --all reaches every process" {
    make_bundle
    set_args sh -c 'trap "echo usr1 >>/tmp/sig" USR1; sleep 100 & while :; do sleep 0.05; done'
    run_detached "$ID"
    local pid n=0 sig
    pid=$(mogu state "$ID" | jq .pid)
    # One at a time: signals of one kind that are pending together are delivered once.
    for sig in SIGUSR1 usr1 10; do
        n=$((n + 1))
        mogu kill "$ID" "$sig"
        wait_for 'test "$(cat "/proc/$pid/root/tmp/sig" 2>/dev/null | grep -c usr1)" -eq "$n"'
    done
    [ "$(mogu ps -f json "$ID" | jq length)" -ge 2 ]
    mogu kill --all "$ID" KILL
    wait_for 'test "$(status_of "$ID")" = stopped'
    wait_for 'test "$(mogu ps -f json "$ID" | jq length)" -eq 0'
    run mogu kill "$ID" KILL
    [ "$status" -eq 1 ]
    [[ $output == *"container not running"* ]]
}

@test "kill ID 0 checks that the container runs, with and without --all" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    mogu kill "$ID" 0
    mogu kill --all "$ID" 0
    [ "$(status_of "$ID")" = running ]
    mogu kill "$ID" KILL
    wait_for 'test "$(status_of "$ID")" = stopped'
    run mogu kill "$ID" 0
    [ "$status" -eq 1 ]
    [[ $output == *"container not running"* ]]
}

@test "options after the container id are taken, as runc's command line takes them" {
    make_bundle '.linux.resources.pids = {"limit": 40}'
    set_args sleep 100
    run_detached "$ID"
    mogu update "$ID" --pids-limit 41
    [ "$(mogu events --stats "$ID" | jq .data.pids.limit)" = 41 ]
    mogu state "$ID" >/dev/null
    mogu kill "$ID" KILL --all
    wait_for 'test "$(status_of "$ID")" = stopped'
    mogu delete "$ID" --force
    assert_nothing_left
    # exec keeps everything after the id for the command, as runc does.
    run_detached "$ID"
    run mogu exec "$ID" echo --pids-limit 5
    [ "$output" = "--pids-limit 5" ]
}

@test "kill never signals a process whose start time does not match (pid reuse)" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    local pid
    pid=$(mogu state "$ID" | jq .pid)
    # Pretend the recorded init was another process that used the same pid.
    jq '.startTime += 1' "$ROOT/$ID/state.json" >"$TEST_TMP/s" && cp "$TEST_TMP/s" "$ROOT/$ID/state.json"
    [ "$(status_of "$ID")" = stopped ]
    run mogu kill "$ID" KILL
    [ "$status" -eq 1 ]
    [[ $output == *"container not running"* ]]
    kill -0 "$pid"
    kill -9 "$pid"
}

@test "exec runs a process in the container's namespaces and returns its exit code" {
    make_bundle '.hostname = "exec-host"'
    set_args sleep 100
    run_detached "$ID"
    run mogu exec "$ID" sh -c 'hostname; echo $$; exit 5'
    [ "$status" -eq 5 ]
    [ "${lines[0]}" = exec-host ]
    # pid 1 is the container's init, so the exec'd shell has a small pid in the container.
    [ "${lines[1]}" -lt 100 ]
    run mogu exec --env FOO=bar --cwd /tmp --user 1000:1000 "$ID" sh -c 'echo $FOO $(pwd) $(id -u):$(id -g)'
    [ "$status" -eq 0 ]
    [ "$output" = "bar /tmp 1000:1000" ]
}

@test "exec --process runs a process.json, exec --detach writes its pid file" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    cat >"$TEST_TMP/process.json" <<'J'
{"args": ["sh", "-c", "echo from process.json $GREETING"], "env": ["GREETING=hi", "PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}
J
    run mogu exec --process "$TEST_TMP/process.json" "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = "from process.json hi" ]
    mogu exec --detach --pid-file "$TEST_TMP/exec.pid" "$ID" sleep 50
    local pid
    pid=$(cat "$TEST_TMP/exec.pid")
    grep -q 'sleep' "/proc/$pid/cmdline"
    mogu ps -f json "$ID" | jq -e "index($pid)"
}

@test "exec into a stopped or unknown container fails clearly" {
    make_bundle
    set_args true
    mogu run --keep "$ID" || true
    # runc exits 255 for a failed exec, and go-runc and Docker look at it.
    run mogu exec "$ID" true
    [ "$status" -eq 255 ]
    [[ $output == *"exec failed: cannot exec in a stopped container"* ]]
    run mogu exec nosuch true
    [ "$status" -eq 255 ]
    [[ $output == *"container nosuch does not exist"* ]]
}

@test "a failed exec exits 255, a bad exec command line 1, the process's own failure its status" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    run mogu exec "$ID" /no/such/program
    [ "$status" -eq 255 ]
    [[ $output == *"exec failed:"*"/no/such/program"* ]]
    run mogu exec --detach "$ID" /no/such/program
    [ "$status" -eq 255 ]
    run mogu exec --no-such-flag "$ID" true
    [ "$status" -eq 1 ]
    run mogu exec "$ID" sh -c 'exit 255'
    [ "$status" -eq 255 ]
    [ -z "$output" ]
    run mogu exec "$ID" sh -c 'exit 3'
    [ "$status" -eq 3 ]
}

@test "exec --ignore-paused waits, frozen, until the container is resumed" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    mogu pause "$ID"
    run mogu exec "$ID" true
    [ "$status" -eq 255 ]
    [[ $output == *"paused"*"--ignore-paused"* ]]
    "$MOGU" --root "$ROOT" exec --ignore-paused "$ID" sh -c 'echo ran' >"$TEST_TMP/exec.out" 2>&1 &
    local exec_pid=$!
    sleep 0.5
    kill -0 "$exec_pid"
    [ ! -s "$TEST_TMP/exec.out" ]
    # resume takes the container's lock: the waiting exec must not hold it.
    timeout 10 "$MOGU" --root "$ROOT" resume "$ID"
    local i
    for i in $(seq 100); do kill -0 "$exec_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$exec_pid" 2>/dev/null; then
        kill -9 "$exec_pid"
        echo "the exec still waits 10 s after resume: $(cat "$TEST_TMP/exec.out")"
        return 1
    fi
    wait "$exec_pid"
    [ "$(cat "$TEST_TMP/exec.out")" = ran ]
}

@test "exec --cgroup runs the process in an existing sub-cgroup, and refuses one that climbs out" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    local d
    for d in $(cgroup_dirs_of "$ID"); do
        mkdir "$d/sub"
        # A new v1 cpuset cgroup has no cpus or mems until given some.
        [[ -e $d/sub/cpuset.cpus ]] && cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus" && cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
    done
    run mogu exec --cgroup sub "$ID" cat /proc/self/cgroup
    [ "$status" -eq 0 ]
    local line
    while read -r line; do
        [[ $line == *"/sub" ]]
    done <<<"$output"
    # One controller only, on hosts with v1 hierarchies.
    if grep -q ' - cgroup cgroup .*pids' /proc/self/mountinfo; then
        run mogu exec --cgroup pids:sub "$ID" cat /proc/self/cgroup
        [ "$status" -eq 0 ]
        [[ $(grep ':pids:' <<<"$output") == *"/sub" ]]
        [[ $(grep ':memory:' <<<"$output") != *"/sub" ]]
    fi
    run mogu exec --cgroup ../escape "$ID" true
    [ "$status" -ne 0 ]
    [[ $output == *"--cgroup"*'".."'* ]]
    run mogu exec --cgroup nosuch "$ID" true
    [ "$status" -ne 0 ]
    [[ $output == *"nosuch"*"does not exist"* ]]
    # delete removes the sub-cgroups with the container's.
    mogu delete --force "$ID"
    assert_nothing_left
}

@test "ps lists the container's processes as a table and as JSON" {
    make_bundle
    set_args sh -c 'sleep 100 & sleep 100 & wait'
    run_detached "$ID"
    wait_for 'test "$(mogu ps -f json "$ID" | jq length)" -eq 3'
    run mogu ps "$ID"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == *PID* ]]
    [ "$(grep -c 'sleep 100$' <<<"$output")" -eq 2 ]
}

@test "pause freezes every process and resume thaws them" {
    make_bundle
    set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/counter; done'
    run_detached "$ID"
    local pid
    pid=$(mogu state "$ID" | jq .pid)
    wait_for 'test -s "/proc/$pid/root/tmp/counter"'
    mogu pause "$ID"
    [ "$(status_of "$ID")" = paused ]
    local a b
    a=$(cat "/proc/$pid/root/tmp/counter")
    sleep 0.3
    b=$(cat "/proc/$pid/root/tmp/counter")
    [ "$a" = "$b" ]
    run mogu pause "$ID"
    [ "$status" -eq 1 ]
    mogu resume "$ID"
    [ "$(status_of "$ID")" = running ]
    wait_for 'test "$(cat "/proc/$pid/root/tmp/counter")" != "$b"'
    run mogu resume "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"container not paused"* ]]
}

@test "list shows containers as a table, as JSON and quietly" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    mogu create --bundle "$BUNDLE" "$ID-b"
    run mogu list
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "ID"*"PID"*"STATUS"*"BUNDLE"*"CREATED"*"OWNER" ]]
    [[ $output == *"$ID "*running* ]]
    [[ $output == *"$ID-b "*created* ]]
    [ "$(mogu list -f json | jq length)" -eq 2 ]
    [ "$(mogu list -q | sort | tr '\n' ' ')" = "$ID $ID-b " ]
    mogu delete --force "$ID-b"
}

@test "a second create with the same id fails and leaves the first untouched" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    run mogu create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"container $ID already exists"* ]]
    [ "$(status_of "$ID")" = running ]
}

@test "a state directory left by a create that died is reclaimed" {
    make_bundle
    set_args true
    mkdir -p "$ROOT/$ID"
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    assert_nothing_left
}

@test "delete of a container whose joined namespace's path is gone works and leaves nothing" {
    # A pod's way: the container joins a network namespace that CNI made at a path
    # (/run/netns/<name>); the kubelet may remove that path before the container is deleted
    # (a pod torn down, a node cleaned up). Deleting the container must not need it.
    command -v ip >/dev/null || skip "ip (iproute2) is missing"
    local netns=mogu-gone-$$
    ip netns add "$netns"
    make_bundle "(.linux.namespaces[] | select(.type == \"network\")) .path = \"/run/netns/$netns\""
    set_args sleep 300
    run_detached "$ID"
    ip netns delete "$netns"
    [[ $(status_of "$ID") == running ]]
    mogu kill "$ID" KILL
    for _ in $(seq 50); do [[ $(status_of "$ID") == stopped ]] && break; sleep 0.1; done
    [[ $(status_of "$ID") == stopped ]]
    run mogu delete "$ID"
    [ "$status" -eq 0 ]
    assert_nothing_left "$ID"
}
