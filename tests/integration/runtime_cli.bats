#!/usr/bin/env bats
# The command line as containerd's go-runc and Docker use it.

load lib/runtime

setup() { runtime_setup; }
teardown() { runtime_teardown; }

@test "spec writes a runc-shaped config.json and refuses to overwrite it" {
    mkdir -p "$TEST_TMP/s" && cd "$TEST_TMP/s"
    "$MOGU" spec
    jq -e '.ociVersion and .process.args == ["sh"] and .root.path == "rootfs"' config.json
    jq -e '.linux.maskedPaths | index("/proc/kcore") and index("/proc/keys") and index("/sys/firmware")' config.json
    jq -e '.linux.readonlyPaths | index("/proc/sys") and index("/proc/sysrq-trigger")' config.json
    run "$MOGU" spec
    [ "$status" -eq 1 ]
    [[ $output == *"config.json exists"* ]]
    "$MOGU" spec --rootless --bundle "$TEST_TMP"
    jq -e '.linux.uidMappings[0].size == 1' "$TEST_TMP/config.json"
}

@test "features describes what is supported" {
    run "$MOGU" features
    [ "$status" -eq 0 ]
    jq -e '.linux.namespaces | index("pid")' <<<"$output"
    jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")' <<<"$output"
    jq -e '.linux.seccomp.enabled and (.linux.seccomp.actions | index("SCMP_ACT_ERRNO"))' <<<"$output"
    jq -e '.hooks | length == 6' <<<"$output"
}

@test "--version names mogu, the spec and libseccomp" {
    run "$MOGU" --version
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "mogu version "* ]]
    [[ $output == *"spec: 1.0"* ]]
    [[ $output == *"libseccomp: 2."* ]]
}

@test "Go-style single-dash long flags are accepted, as go-runc sends them" {
    make_bundle
    set_args sh -c 'echo single-dash'
    run "$MOGU" -root "$ROOT" -log "$TEST_TMP/log" -log-format json run -bundle "$BUNDLE" -keep "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = single-dash ]
    "$MOGU" -root "$ROOT" delete -force "$ID"
}

@test "errors go to the log file as runc's JSON lines when --log-format json" {
    run "$MOGU" --root "$ROOT" --log "$TEST_TMP/log.json" --log-format json state nosuch
    [ "$status" -eq 1 ]
    # As runc 1.1 does, the bare message goes to stderr too: containerd's runc shim reads it
    # there (a delete after a checkpoint that ended the container says "does not exist").
    [ "$output" = "container nosuch does not exist" ]
    jq -e '.level == "error" and .msg == "container nosuch does not exist" and (.time | test("^[0-9-]+T[0-9:.]+Z$"))' "$TEST_TMP/log.json"
}

@test "--debug logs to the log file in text format" {
    make_bundle
    set_args true
    "$MOGU" --root "$ROOT" --debug --log "$TEST_TMP/log.txt" run "$ID"
    grep -q 'level=debug msg="mogu run"' "$TEST_TMP/log.txt"
}

@test "--debug logs the init's setup steps: namespaces, mounts, pivot, hooks, seccomp, exec" {
    make_bundle '.hooks.createContainer = [{"path": "/bin/true"}]' \
        '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    set_args true
    # As JSON lines into --log.
    "$MOGU" --root "$ROOT" --debug --log "$TEST_TMP/log.json" --log-format json run "$ID"
    local msgs
    msgs=$(jq -r 'select(.level == "debug") | .msg' "$TEST_TMP/log.json")
    [[ $msgs == *"started with new namespaces: pid, network, ipc, uts, mount"* ]]
    [[ $msgs == *"init: mounts[0] (/proc): proc proc on /proc"* ]]
    [[ $msgs == *"running createContainer hook #0 (/bin/true)"* ]]
    [[ $msgs == *"init: pivot_root into"* ]]
    [[ $msgs == *"seccomp filter installed"* ]]
    [[ $msgs == *"init: exec /bin/true"* ]]
    # As text on stderr, which for a terminal container is not the container's own.
    make_bundle '.process.terminal = true'
    set_args sh -c 'echo from-the-container'
    script -qec "$MOGU --root $ROOT --debug run $ID" /dev/null </dev/null >"$TEST_TMP/tty.out" 2>&1
    grep -q 'level=debug msg="init: pivot_root into' "$TEST_TMP/tty.out"
    grep -q from-the-container "$TEST_TMP/tty.out"
    # Without --debug nothing of it.
    run mogu run "$ID" </dev/null
    [[ $output != *level=debug* ]]
}

@test "--systemd-cgroup is refused with a reason where systemd is absent" {
    [ ! -d /run/systemd/system ] || skip "systemd runs on this machine"
    make_bundle
    run "$MOGU" --root "$ROOT" --systemd-cgroup create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"--systemd-cgroup: systemd is not running"* ]]
    assert_nothing_left
}

@test "help lists every verb" {
    run "$MOGU" --help
    [ "$status" -eq 0 ]
    for v in create start run state list kill delete exec ps pause resume update events features spec checkpoint restore check tune; do
        [[ $output == *"   $v "* ]]
    done
    run "$MOGU" exec --help
    [[ $output == *"--process"* ]]
}

@test "checkpoint names a container that does not exist; restore names the image directory it lacks" {
    run "$MOGU" --root "$ROOT" checkpoint x
    [ "$status" -eq 1 ]
    [[ $output == *"container x does not exist"* ]]
    run "$MOGU" --root "$ROOT" restore --image-path "$BATS_TEST_TMPDIR/no-images" x
    [ "$status" -eq 1 ]
    [[ $output == *"$BATS_TEST_TMPDIR/no-images"* ]]
    [ ! -e "$ROOT/x" ]
}
