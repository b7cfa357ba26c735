#!/usr/bin/env bats
# containerd-shim-mogu-v2 behind a private containerd 1.6: what a user of `ctr` sees.
# One containerd serves the whole file; every test uses its own container ids.

load lib/containerd

RUNTIME=io.containerd.mogu.v2

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    if why=$(containerd_missing); then
        export SHIM_SKIP=$why
        return 0
    fi
    # The OCI runtime under the shim is mogu, found beside the shim in $MOGU_BIN;
    # SHIM_TEST_RUNTIME=runc runs the same suite over Debian's runc, for comparison.
    if [[ -n ${SHIM_TEST_RUNTIME:-} ]]; then
        export MOGU_SHIM_RUNTIME=$SHIM_TEST_RUNTIME
    elif [[ ! -x $MOGU_BIN/mogu ]]; then
        export SHIM_SKIP="$MOGU_BIN/mogu not built"
        return 0
    fi
    # containerd's own metrics endpoint, which asks the shims for their tasks' metrics.
    CTD_METRICS=127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    start_containerd
    export CTD_DIR CTD_SOCK CTD_METRICS
}

teardown_file() {
    [[ -n ${SHIM_SKIP:-} ]] || stop_containerd
}

setup() {
    [[ -z ${SHIM_SKIP:-} ]] || skip "$SHIM_SKIP"
}

# The shim serving container ID, by the pid file it writes into the bundle.
shim_pid_of() { cat "$CTD_DIR/state/io.containerd.runtime.v2.task/$CTD_NS/$1/shim.pid"; }

assert_nothing_left() {
    local id=$1
    run ctr_ containers ls -q
    [[ $output != *"$id"* ]] || { echo "container $id still listed"; return 1; }
    [[ ! -e $(runtime_root)/$id ]] || { echo "runtime state $(runtime_root)/$id left"; return 1; }
    [[ ! -e $CTD_DIR/state/io.containerd.runtime.v2.task/$CTD_NS/$id ]] || { echo "bundle of $id left"; return 1; }
    if grep -q "/$id/rootfs " /proc/self/mounts; then echo "rootfs of $id still mounted"; return 1; fi
    if pgrep -f "containerd-shim-mogu-v2 .*-id $id( |$)" >/dev/null; then echo "shim of $id still running"; return 1; fi
    local sock
    sock=/run/containerd/s/$(printf '%s' "$CTD_SOCK/$CTD_NS/$id" | sha256sum | cut -d' ' -f1)
    [[ ! -e $sock ]] || { echo "shim socket $sock left"; return 1; }
}

@test "ctr run --rm prints the output and returns the exit code" {
    run ctr_ run --rm --runtime $RUNTIME $CTD_IMAGE rm1 /bin/sh -c 'echo hello from mogu; echo to-stderr >&2; exit 3' </dev/null
    [ "$status" -eq 3 ]
    [[ $output == *"hello from mogu"* ]]
    [[ $output == *"to-stderr"* ]]
    assert_nothing_left rm1
}

@test "ctr run --rm returns 0 and the events come in containerd's order" {
    ctr_ events >"$BATS_TEST_TMPDIR/events" 2>&1 &
    local ev=$!
    sleep 0.3
    run ctr_ run --rm --runtime $RUNTIME $CTD_IMAGE ev1 /bin/true </dev/null
    [ "$status" -eq 0 ]
    sleep 0.5
    kill $ev
    wait $ev 2>/dev/null || true
    grep -oE '/tasks/(create|start|exit|delete)' "$BATS_TEST_TMPDIR/events" >"$BATS_TEST_TMPDIR/topics"
    run cat "$BATS_TEST_TMPDIR/topics"
    [ "$output" = $'/tasks/create\n/tasks/start\n/tasks/exit\n/tasks/delete' ]
}

@test "a detached container: exec, ps, pause, resume, metrics, kill, delete" {
    ctr_ run -d --runtime $RUNTIME $CTD_IMAGE det1 /bin/sleep 300 </dev/null
    wait_task_state det1 RUNNING

    run ctr_ task exec --exec-id ex1 det1 /bin/sh -c 'echo exec says hi; exit 7' </dev/null
    [ "$status" -eq 7 ]
    [[ $output == *"exec says hi"* ]]

    ctr_ task exec -d --exec-id ex2 det1 /bin/sleep 300 </dev/null
    run ctr_ task ps det1
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | tail -n +2 | wc -l)" -eq 2 ]   # the init and the exec
    [[ $output == *"ex2"* ]]                              # the exec is named by its id
    ctr_ task kill -s SIGKILL --exec-id ex2 det1

    ctr_ task pause det1
    wait_task_state det1 PAUSED
    ctr_ task resume det1
    wait_task_state det1 RUNNING

    run ctr_ task metrics det1
    [ "$status" -eq 0 ]
    [[ $output == *"memory.usage_in_bytes"* || $output == *"memory.usage"* ]]
    [[ $output == *"pids.current"* ]]

    ctr_ task kill -s SIGKILL det1
    wait_task_state det1 STOPPED
    ctr_ task delete det1
    ctr_ containers delete det1
    assert_nothing_left det1
}

@test "containerd's metrics endpoint reports a task's cgroup metrics, and stays up" {
    ctr_ run -d --runtime $RUNTIME --memory-limit 33554432 $CTD_IMAGE met1 /bin/sleep 300 </dev/null
    wait_task_state met1 RUNNING
    # containerd 1.6 reads every memory entry the shim sends; one missing (kernel_tcp) was a panic.
    run curl -sf "http://$CTD_METRICS/v1/metrics"
    [ "$status" -eq 0 ]
    grep -E "^container_memory_usage_limit_bytes\{container_id=\"met1\",namespace=\"$CTD_NS\",runtime=\"$RUNTIME\"\} 3.3554432e\+07$" <<<"$output"
    grep -q "^container_pids_current{container_id=\"met1\"" <<<"$output"
    ctr --address "$CTD_SOCK" version >/dev/null
    ctr_ task kill -s SIGKILL met1
    wait_task_state met1 STOPPED
    ctr_ task delete met1
    ctr_ containers delete met1
}

# Checkpoint and restore through the shim: shim_checkpoint.bats (it needs criu).

@test "ctr task kill of a finished task is refused" {
    ctr_ run -d --runtime $RUNTIME $CTD_IMAGE fin1 /bin/true </dev/null
    wait_task_state fin1 STOPPED
    run ctr_ task kill -s SIGKILL fin1
    [ "$status" -ne 0 ]
    [[ $output == *"not found"* || $output == *"finished"* ]]
    ctr_ task delete fin1
    ctr_ containers delete fin1
    assert_nothing_left fin1
}

@test "a tty container gets a terminal" {
    run script -qec "ctr --address $CTD_SOCK --namespace $CTD_NS run --rm -t --runtime $RUNTIME $CTD_IMAGE tty1 /bin/sh -c 'tty; exit 5'" /dev/null
    [ "$status" -eq 5 ]
    [[ $output == *"/dev/pts/"* ]]
    assert_nothing_left tty1
}

@test "ctr task exec -t gets its own terminal, and ResizePty reaches it" {
    ctr_ run -d --runtime $RUNTIME $CTD_IMAGE ttyx1 /bin/sleep 300 </dev/null
    wait_task_state ttyx1 RUNNING
    run script -qec "stty cols 111 rows 33; ctr --address $CTD_SOCK --namespace $CTD_NS task exec -t --exec-id tx ttyx1 /bin/sh -c 'tty; for i in \$(seq 50); do s=\$(stty size 2>/dev/null); [ -n \"\$s\" ] && [ \"\$s\" != \"0 0\" ] && break; sleep 0.1; done; echo size \$s; exit 6'" /dev/null
    [ "$status" -eq 6 ]
    [[ $output == *"/dev/pts/"* ]]
    # ctr resizes after the exec started: the shell waits for it (busybox stty fails on 0x0).
    echo "$output"
    [[ $output == *"size 33 111"* ]]
    ctr_ task kill -s SIGKILL ttyx1
    wait_task_state ttyx1 STOPPED
    ctr_ task delete ttyx1
    ctr_ containers delete ttyx1
    assert_nothing_left ttyx1
}

@test "stdin reaches the container and CloseIO ends it" {
    # ctr calls CloseIO when its stdin ends, but only once the task exists: feed stdin a moment later.
    run bash -c "(sleep 1; printf 'line one\nline two\n') | ctr --address $CTD_SOCK --namespace $CTD_NS run --rm --runtime $RUNTIME $CTD_IMAGE in1 /bin/sh -c 'wc -l'"
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | tr -d ' \r')" = 2 ]
}

@test "a memory-limited container that runs out of memory produces a /tasks/oom event" {
    ctr_ events >"$BATS_TEST_TMPDIR/events" 2>&1 &
    local ev=$!
    sleep 0.3
    run ctr_ run --rm --memory-limit 16777216 --runtime $RUNTIME $CTD_IMAGE oom1 \
        /bin/sh -c 'x=0123456789abcdef; while true; do x=$x$x; done' </dev/null
    [ "$status" -eq 137 ]
    sleep 0.5
    kill $ev
    wait $ev 2>/dev/null || true
    grep -q '/tasks/oom' "$BATS_TEST_TMPDIR/events"
    grep '/tasks/oom' "$BATS_TEST_TMPDIR/events" | grep -q oom1
}

@test "20 containers at once" {
    local pids=() i
    for i in $(seq 20); do
        ctr_ run --rm --runtime $RUNTIME $CTD_IMAGE many$i /bin/sh -c "echo out-$i; exit $((i % 5))" \
            </dev/null >"$BATS_TEST_TMPDIR/out$i" 2>&1 &
        pids+=($!)
    done
    for i in $(seq 20); do
        local rc=0
        wait "${pids[$((i - 1))]}" || rc=$?
        [ "$rc" -eq $((i % 5)) ] || { echo "many$i exited $rc"; cat "$BATS_TEST_TMPDIR/out$i"; return 1; }
        grep -qx "out-$i" "$BATS_TEST_TMPDIR/out$i"
    done
    for i in $(seq 20); do assert_nothing_left many$i; done
}

@test "containerd restarts while a container runs: the container keeps running and is still managed" {
    ctr_ run -d --runtime $RUNTIME $CTD_IMAGE rs1 /bin/sleep 300 </dev/null
    wait_task_state rs1 RUNNING
    local shim
    shim=$(shim_pid_of rs1)
    local old
    old=$(cat "$CTD_DIR/containerd.pid")
    kill "$old"
    for _ in $(seq 100); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$old" 2>/dev/null || false
    kill -0 "$shim"               # the shim outlives containerd
    launch_containerd
    wait_task_state rs1 RUNNING
    run ctr_ task exec --exec-id after rs1 /bin/echo still here </dev/null
    [ "$status" -eq 0 ]
    [[ $output == *"still here"* ]]
    ctr_ task kill -s SIGKILL rs1
    wait_task_state rs1 STOPPED
    ctr_ task delete rs1
    ctr_ containers delete rs1
    assert_nothing_left rs1
}

@test "a killed shim: containerd cleans up through the delete subcommand and nothing leaks" {
    ctr_ run -d --runtime $RUNTIME $CTD_IMAGE dead1 /bin/sleep 300 </dev/null
    wait_task_state dead1 RUNNING
    local shim init
    shim=$(shim_pid_of dead1)
    init=$(ctr_ task ls | awk '$1 == "dead1" {print $2}')
    kill -9 "$shim"
    # containerd notices, runs `containerd-shim-mogu-v2 delete` (which removes the container),
    # and only then drops the task.
    wait_task_state dead1 gone
    # The init is killed; it may stay a zombie for a moment, until pid 1 reaps it.
    local i
    for i in $(seq 50); do kill -0 "$init" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$init" 2>/dev/null || false
    ctr_ task delete dead1 2>/dev/null || true
    ctr_ containers delete dead1
    assert_nothing_left dead1
}

@test "a command that does not exist fails with the runtime's message and leaves nothing" {
    run ctr_ run --rm --runtime $RUNTIME $CTD_IMAGE bad1 /no/such/binary </dev/null
    [ "$status" -ne 0 ]
    [[ $output == *"/no/such/binary"* ]]
    ctr_ containers delete bad1 2>/dev/null || true
    assert_nothing_left bad1
}

@test "an unknown runtime binary is named in the error" {
    run ctr_ run --rm --runtime $RUNTIME --runtime-config-path /nonexistent/mogu.toml $CTD_IMAGE opt1 /bin/true </dev/null
    [ "$status" -ne 0 ]
    [[ $output == *"/nonexistent/mogu.toml"* ]]
    ctr_ containers delete opt1 2>/dev/null || true
    assert_nothing_left opt1
}

@test "containerd's runc shim runs the mogu binary (ctr run --runc-binary)" {
    [[ -x $MOGU_BIN/mogu ]] || skip "$MOGU_BIN/mogu not built"
    run ctr_ run --rm --runtime io.containerd.runc.v2 --runc-binary "$MOGU_BIN/mogu" $CTD_IMAGE runcpath1 /bin/sh -c 'echo via runc shim; exit 4' </dev/null
    [ "$status" -eq 4 ]
    [[ $output == *"via runc shim"* ]]
}
