#!/usr/bin/env bats
# Terminals, file descriptors, and the escapes runc has had to close: each test tries the attack.

load lib/runtime

setup() { runtime_setup; }
teardown() {
    [[ -n ${PEER_PID:-} ]] && kill "$PEER_PID" 2>/dev/null
    runtime_teardown
}

RECVTTY() { python3 "$MOGU_SRC/tests/integration/helpers/recvtty.py" "$@"; }

@test "a terminal container sends its pty to --console-socket and answers tty" {
    make_bundle '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 111}'
    set_args sh -c 'tty; stty size'
    RECVTTY "$TEST_TMP/console.sock" >"$TEST_TMP/tty.out" 2>"$TEST_TMP/tty.err" &
    PEER_PID=$!
    wait_for 'grep -q listening "$TEST_TMP/tty.err"'
    mogu create --bundle "$BUNDLE" --console-socket "$TEST_TMP/console.sock" "$ID" </dev/null >/dev/null 2>&1
    mogu start "$ID"
    wait "$PEER_PID"
    PEER_PID=
    grep -q '^/dev/pts/0' "$TEST_TMP/tty.out"
    grep -q '^33 111' "$TEST_TMP/tty.out"
    grep -q 'received /dev/ptmx' "$TEST_TMP/tty.err"
}

@test "a console socket that refuses is named in the error and nothing is left" {
    make_bundle '.process.terminal = true'
    run mogu create --bundle "$BUNDLE" --console-socket "$TEST_TMP/nobody-listens.sock" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"--console-socket: connect to $TEST_TMP/nobody-listens.sock"* ]]
    assert_nothing_left
    run mogu create --bundle "$BUNDLE" "$ID"
    [[ $output == *"--console-socket is required"* ]]
    assert_nothing_left
}

@test "foreground run proxies the container's terminal" {
    make_bundle '.process.terminal = true'
    set_args sh -c 'tty; read line; echo "got $line"'
    # script(1) gives mogu a terminal of its own, as a user's shell would.
    run script -qec "echo hello-tty | $MOGU --root $ROOT run --bundle $BUNDLE $ID" /dev/null
    [ "$status" -eq 0 ]
    [[ $output == *"/dev/pts/0"* ]]
    [[ $output == *"got hello-tty"* ]]
    assert_nothing_left
}

@test "foreground run passes the container's lines through without carriage returns added" {
    make_bundle '.process.terminal = true'
    set_args sh -c 'echo line-one; echo line-two'
    # script(1) with no terminal on its stdin passes bytes through as they come: every "\r" in
    # its output would be one the container's pty added.
    script -qec "$MOGU --root $ROOT run --bundle $BUNDLE $ID" /dev/null </dev/null >"$TEST_TMP/out"
    grep -q line-two "$TEST_TMP/out"
    [ "$(tr -dc '\r' <"$TEST_TMP/out" | wc -c)" -eq 0 ]
    assert_nothing_left
}

@test "the pty belongs to the process's user, in run and in exec" {
    make_bundle '.process.terminal = true | .process.user = {"uid": 1000, "gid": 1000}'
    set_args sh -c 'echo "owner=$(stat -c %u $(tty))"'
    run script -qec "$MOGU --root $ROOT run --bundle $BUNDLE $ID" /dev/null </dev/null
    [ "$status" -eq 0 ]
    [[ $output == *owner=1000* ]]
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    run script -qec "$MOGU --root $ROOT exec --tty --user 1001:1001 $ID sh -c 'echo owner=\$(stat -c %u \$(tty))'" /dev/null </dev/null
    [ "$status" -eq 0 ]
    [[ $output == *owner=1001* ]]
}

@test "exec --tty gets a terminal of its own" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    run script -qec "$MOGU --root $ROOT exec --tty $ID tty" /dev/null
    [ "$status" -eq 0 ]
    [[ $output == */dev/pts/* ]]
}

@test "no fd of the runtime leaks into the container; --preserve-fds and LISTEN_FDS pass theirs" {
    make_bundle
    set_args sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
    run mogu run "$ID" 5</dev/null 7</etc/hostname
    [ "$status" -eq 0 ]
    # 0-2 and the fd ls opens itself to read the directory (3)
    [ "$output" = "0 1 2 3 " ]
    set_args sh -c 'cat <&3; ls /proc/self/fd | sort -n | tr "\n" " "'
    echo preserved >"$TEST_TMP/p"
    run mogu run --preserve-fds 1 "$ID" 3<"$TEST_TMP/p"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = preserved ]
    [[ ${lines[1]} == "0 1 2 3 4 " ]]
    set_args sh -c 'cat <&3; cat <&4'
    echo second >"$TEST_TMP/q"
    LISTEN_FDS=1 run mogu run --preserve-fds 1 "$ID" 3<"$TEST_TMP/p" 4<"$TEST_TMP/q"
    [ "$output" = $'preserved\nsecond' ]
}

@test "the runtime binary cannot be reached through /proc/<pid>/exe from inside (CVE-2019-5736)" {
    make_bundle '.process.capabilities.bounding += ["CAP_DAC_OVERRIDE"] | .process.capabilities.effective += ["CAP_DAC_OVERRIDE"] | .process.capabilities.permitted += ["CAP_DAC_OVERRIDE"]'
    # The container watches for any process whose exe it can open and tries to write to it.
    set_args sh -c 'while :; do for p in /proc/[0-9]*; do
        [ "$p" = /proc/1 ] && continue
        if ( : >>"$p/exe" ) 2>/dev/null; then echo "opened $p/exe" >>/tmp/breach; fi
        readlink "$p/exe" >>/tmp/seen 2>/dev/null
    done; done'
    run_detached "$ID"
    local before after i
    before=$(sha256sum <"$MOGU")
    for i in $(seq 1 20); do mogu exec "$ID" true; done
    after=$(sha256sum <"$MOGU")
    [ "$before" = "$after" ]
    local pid
    pid=$(mogu state "$ID" | jq .pid)
    [ ! -s "/proc/$pid/root/tmp/breach" ]
    ! grep -q mogu "/proc/$pid/root/tmp/seen" 2>/dev/null || false
}

@test "a host fd cannot become the container's cwd (CVE-2024-21626)" {
    make_bundle
    set_args sh -c 'pwd; ls ..'
    local fd
    for fd in 3 4 5 6 7 8 9 10; do
        edit_config ".process.cwd = \"/proc/self/fd/$fd\""
        run mogu run "$ID" 7</tmp 8</ 9</sys/fs/cgroup
        [ "$status" -ne 0 ]
        [[ $output == *"cwd"* ]]
        assert_nothing_left
    done
}

@test "/proc/sys and /sys are read-only, and mogu spec masks runc's default paths" {
    make_bundle
    set_args sh -c 'echo 1 >/proc/sys/kernel/domainname; touch /sys/x; grep -c . /proc/self/mountinfo >/dev/null'
    run mogu run "$ID"
    [ "$(grep -c 'Read-only file system' <<<"$output")" -eq 2 ]
    local p
    for p in /proc/acpi /proc/asound /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list /proc/timer_stats /proc/sched_debug /sys/firmware /proc/scsi; do
        jq -e --arg p "$p" '.linux.maskedPaths | index($p)' "$BUNDLE/config.json"
    done
}
