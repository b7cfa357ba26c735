#!/usr/bin/env bats
# seccomp profiles and capabilities, tried from inside real containers.

load lib/runtime

setup() { runtime_setup; }
teardown() {
    [[ -n ${AGENT_PID:-} ]] && kill "$AGENT_PID" 2>/dev/null
    runtime_teardown
}

in_container() {
    set_args sh -c "$1"
    run mogu run "$ID"
}

@test "a profile that denies mkdir makes mkdir fail with EPERM, and the shell still works" {
    make_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
                   "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    in_container 'echo shell works; mkdir /tmp/x && echo made'
    [ "$status" -ne 0 ]
    [ "${lines[0]}" = "shell works" ]
    [[ $output == *"Operation not permitted"* ]]
    [[ $output != *made* ]]
}

@test "startContainer hooks run under the container's seccomp filter, with or without noNewPrivileges" {
    # The hook runs in the container; mkdir is denied by the profile, for it as for the process.
    local nnp
    for nnp in true false; do
        make_bundle ".process.noNewPrivileges = $nnp" \
            '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}' \
            '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "mkdir /tmp/by-hook 2>/tmp/hook.err; echo hook ran >>/tmp/hook.err"]}]'
        in_container 'cat /tmp/hook.err; ls -d /tmp/by-hook || echo no-dir'
        [[ $output == *"hook ran"* ]]
        [[ $output == *"Operation not permitted"* ]]
        [[ $output == *no-dir* ]]
    done
}

@test "a syscall newer than the profile returns ENOSYS, not the default action's errno" {
    # An allow-list profile written before clone3 (435) existed; the highest syscall it names is
    # rseq (334). clone3 and an unknown number must fail with ENOSYS (38), so that glibc falls
    # back to clone; a known syscall the profile leaves out (getppid, 110) gets the default, EPERM.
    local helper=$MOGU_BIN/../tests/tools/mogu-syscall
    [[ -x $helper ]] || helper=$MOGU_SRC/build/tests/tools/mogu-syscall
    [[ -x $helper ]] || { echo "mogu-syscall not built (make fixtures)" >&2; return 1; }
    COPY_ROOTFS=1 make_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
        {"names": ["arch_prctl", "brk", "execve", "exit_group", "getrandom", "mprotect", "newfstatat", "prlimit64",
                   "readlink", "rseq", "set_robust_list", "set_tid_address", "write"], "action": "SCMP_ACT_ALLOW"}]}'
    cp "$helper" "$BUNDLE/rootfs/mogu-syscall"
    set_args /mogu-syscall 435 1000 110
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "435 errno 38" ]
    [ "${lines[1]}" = "1000 errno 38" ]
    [ "${lines[2]}" = "110 errno 1" ]
    # With a default action that allows, nothing is stubbed: clone3 reaches the kernel (EINVAL
    # for its empty arguments).
    edit_config '.linux.seccomp.defaultAction = "SCMP_ACT_ALLOW" | .linux.seccomp.syscalls = [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]'
    run mogu run "$ID"
    [ "${lines[0]}" = "435 errno 22" ]
    [ "${lines[2]}" = "110 errno 1" ]
}

@test "errnoRet, argument conditions and the kill action behave as written" {
    # chmod with mode 0777 fails with EACCES (13); other modes pass; getppid kills the process.
    make_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                   {"names": ["fchmodat", "chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                    "args": [{"index": 1, "value": 511, "op": "SCMP_CMP_EQ"}]}]}'
    in_container 'touch /tmp/f; chmod 0755 /tmp/f && echo 755-ok; chmod 0777 /tmp/f || echo 777-denied'
    [[ $output == *755-ok* ]]
    [[ $output == *"Permission denied"* ]]
    [[ $output == *777-denied* ]]
    make_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
    # busybox sh calls getppid at start-up: the whole process is killed by SIGSYS (31).
    in_container 'echo never'
    [ "$status" -eq $((128 + 31)) ]
}

@test "a notify filter's fd goes to listenerPath with the container's state" {
    make_bundle ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$TEST_TMP/agent.sock\",
                   \"listenerMetadata\": \"test-metadata\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
    python3 "$MOGU_SRC/tests/integration/helpers/seccomp_agent.py" "$TEST_TMP/agent.sock" "$TEST_TMP/agent.json" 2>"$TEST_TMP/agent.err" &
    AGENT_PID=$!
    wait_for 'grep -q listening "$TEST_TMP/agent.err"'
    # The agent closes the fd without answering: the notified mkdir then fails with ENOSYS.
    in_container 'mkdir /tmp/x || echo mkdir-failed'
    [[ $output == *mkdir-failed* ]]
    jq -e --arg id "$ID" '.fds == ["seccompFd"] and .received_fds == 1 and .metadata == "test-metadata"
                          and .state.id == $id and .pid > 0 and .ociVersion' "$TEST_TMP/agent.json"
}

@test "an unknown syscall, action or architecture names its path and leaves nothing" {
    make_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid", "not_a_syscall"], "action": "SCMP_ACT_ERRNO"}]}'
    run mogu create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *'linux.seccomp.syscalls[0].names[1]: unknown syscall "not_a_syscall"'* ]]
    assert_nothing_left
    make_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_EXPLODE"}'
    run mogu create --bundle "$BUNDLE" "$ID"
    [[ $output == *'linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_EXPLODE"'* ]]
    make_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]}'
    run mogu create --bundle "$BUNDLE" "$ID"
    [[ $output == *'linux.seccomp.architectures[0]: unknown architecture "SCMP_ARCH_Z80"'* ]]
    assert_nothing_left
    # A notify action with no listener would leave every such syscall waiting for an answer.
    make_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
    set_args mkdir /tmp/x
    run timeout 20 "$MOGU" --root "$ROOT" run "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"linux.seccomp.listenerPath: is empty, but the profile uses SCMP_ACT_NOTIFY"* ]]
    assert_nothing_left
}

# The bounding/effective/permitted sets of mogu spec, with a capability added or not.
with_caps() {
    local caps='["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"'
    [[ -n $1 ]] && caps+=", \"$1\""
    caps+=']'
    make_bundle ".process.capabilities = {\"bounding\": $caps, \"effective\": $caps, \"permitted\": $caps}
                 | .process.noNewPrivileges = false"
}

@test "without CAP_NET_RAW a raw socket (ping) is refused; with it, it opens" {
    with_caps CAP_NET_RAW
    in_container 'ping -c1 -W1 127.0.0.1 >/dev/null 2>&1; echo rc=$?'
    [ "$output" = rc=0 ]
    with_caps ""
    in_container 'ping -c1 -W1 127.0.0.1 2>&1; echo rc=$?'
    [[ ${output,,} == *"permission denied"* ]]
    [ "${lines[-1]}" = rc=1 ]
}

@test "without CAP_SYS_ADMIN mount is refused; with it, it works" {
    with_caps CAP_SYS_ADMIN
    in_container 'mount -t tmpfs none /tmp && echo mounted'
    [ "$output" = mounted ]
    with_caps ""
    in_container 'mount -t tmpfs none /tmp && echo mounted'
    [[ $output != *mounted* ]]
    [[ ${output,,} == *"permission denied"* ]]
}

@test "without CAP_CHOWN chown is refused; with it, it works" {
    with_caps CAP_CHOWN
    in_container 'touch /tmp/f && chown 1000 /tmp/f && stat -c %u /tmp/f'
    [ "$output" = 1000 ]
    with_caps ""
    in_container 'touch /tmp/f && chown 1000 /tmp/f; stat -c %u /tmp/f'
    [[ $output == *"Operation not permitted"* ]]
    [ "${lines[-1]}" = 0 ]
}

@test "ambient capabilities survive the switch to a non-root user; noNewPrivileges is set" {
    make_bundle '.process.user = {"uid": 1000, "gid": 1000}
                 | .process.capabilities = {"bounding": ["CAP_NET_BIND_SERVICE"], "effective": ["CAP_NET_BIND_SERVICE"],
                    "permitted": ["CAP_NET_BIND_SERVICE"], "inheritable": ["CAP_NET_BIND_SERVICE"], "ambient": ["CAP_NET_BIND_SERVICE"]}
                 | .process.noNewPrivileges = true'
    in_container 'grep -E "^(CapAmb|CapEff|NoNewPrivs)" /proc/self/status'
    [ "$status" -eq 0 ]
    [[ $output == *"CapAmb:	0000000000000400"* ]]
    [[ $output == *"CapEff:	0000000000000400"* ]]
    [[ $output == *"NoNewPrivs:	1"* ]]
}
