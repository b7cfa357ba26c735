#!/usr/bin/env bats
# Bad input gets one clear error that names what is wrong, a non-zero exit, and leaves nothing
# behind: no state directory, no cgroup, no mount, no process.

load lib/runtime

setup() { runtime_setup; }
teardown() { runtime_teardown; }

# create_fails PATTERN: create must fail, say PATTERN, and leave nothing.
create_fails() {
    local before
    before=$(pgrep -c -f "mogu --root $ROOT" || true)
    run mogu create --bundle "$BUNDLE" "$ID"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == "mogu: "* ]]
    [[ $output == *"$1"* ]]
    [ "$(wc -l <<<"$output")" -eq 1 ]
    assert_nothing_left
    [ "$(pgrep -c -f "mogu --root $ROOT" || true)" -le "$before" ]
}

@test "malformed JSON names the file" {
    make_bundle
    echo '{"ociVersion": "1.0.2", "process": ' >"$BUNDLE/config.json"
    create_fails "$BUNDLE/config.json: invalid JSON"
}

@test "a wrong type names the JSON path" {
    make_bundle '.process.args = "sh"'
    create_fails "process.args: expected an array, got string"
    make_bundle '.linux.resources.memory.limit = "lots"'
    create_fails "linux.resources.memory.limit: expected an integer, got string"
}

@test "an unknown namespace type names its index" {
    make_bundle '.linux.namespaces += [{"type": "pdi"}]'
    local index
    index=$(( $(jq '.linux.namespaces | length' "$BUNDLE/config.json") - 1 ))
    create_fails "linux.namespaces[$index].type: unknown namespace type \"pdi\""
}

@test "a missing rootfs names root.path" {
    make_bundle '.root.path = "/nonexistent/rootfs"'
    create_fails "root.path: rootfs /nonexistent/rootfs: No such file or directory"
}

@test "relative paths where absolute ones are required are refused" {
    make_bundle '.process.cwd = "tmp"'
    create_fails 'process.cwd: "tmp" must be an absolute path'
    make_bundle '.mounts[0].destination = "proc"'
    create_fails 'mounts[0].destination: "proc" must be an absolute path'
    make_bundle '.linux.maskedPaths = ["proc/kcore"]'
    create_fails 'linux.maskedPaths[0]: "proc/kcore" must be an absolute path'
}

@test "a cgroupsPath that escapes with .. is refused" {
    make_bundle '.linux.cgroupsPath = "/mogu-test/../../etc"'
    create_fails "linux.cgroupsPath"
    make_bundle '.linux.cgroupsPath = "../outside"'
    create_fails "linux.cgroupsPath"
}

@test "an id with a slash or dot-dot is refused" {
    make_bundle
    for bad in "a/b" ".." "../x" "with space"; do
        run mogu create --bundle "$BUNDLE" "$bad"
        [ "$status" -eq 1 ]
        [[ $output == *"invalid container id"* ]]
    done
    [ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "an unknown capability is refused with its path" {
    make_bundle '.process.capabilities.bounding += ["CAP_FLY"]'
    create_fails 'process.capabilities.bounding[3]: unknown capability "CAP_FLY"'
}

@test "a sysctl outside the container's namespaces is refused" {
    make_bundle '.linux.sysctl = {"vm.swappiness": "10"}'
    create_fails 'linux.sysctl["vm.swappiness"]: sysctl "vm.swappiness" is not in a separate kernel namespace'
    make_bundle '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
    create_fails "is not allowed in the host's network namespace"
}

@test "a program that does not exist fails create, as runc does" {
    make_bundle
    set_args no-such-program
    create_fails 'exec: "no-such-program": executable file not found in $PATH'
}

@test "a program path that is not executable or missing fails create, not start, as runc does" {
    make_bundle
    set_args /etc/passwd
    create_fails 'exec: "/etc/passwd": Permission denied'
    set_args /no/such/program
    create_fails 'exec: "/no/such/program": No such file or directory'
}

@test "a failing mount names the mount and leaves no mounts behind" {
    make_bundle '.mounts += [{"destination": "/data", "type": "bind", "source": "/nonexistent/source"}]'
    create_fails 'mounts[8] (/data): bind source "/nonexistent/source": No such file or directory'
}

@test "an unparsable rlimit and a bad oomScoreAdj name their fields" {
    make_bundle '.process.rlimits = [{"type": "RLIMIT_WINGS", "hard": 1, "soft": 1}]'
    create_fails 'process.rlimits[0].type: unknown rlimit type "RLIMIT_WINGS"'
    make_bundle '.process.oomScoreAdj = 5000'
    create_fails "process.oomScoreAdj: 5000 is out of range [-1000, 1000]"
}

@test "a hostname without a UTS namespace is refused" {
    make_bundle '.linux.namespaces |= map(select(.type != "uts"))'
    create_fails "hostname: cannot set a hostname without a UTS namespace"
}

@test "a missing config.json says where it looked" {
    mkdir -p "$BUNDLE"
    create_fails "$BUNDLE/config.json: no such file"
}

@test "every verb on an unknown id says the container does not exist" {
    for verb in start state kill delete pause resume ps events; do
        run mogu "$verb" nosuch
        [ "$status" -eq 1 ]
        [[ $output == *"container nosuch does not exist"* ]]
    done
    run mogu exec nosuch true
    [[ $output == *"container nosuch does not exist"* ]]
    run mogu update --memory 1m nosuch
    [[ $output == *"container nosuch does not exist"* ]]
    # delete --force of an unknown id succeeds, as runc's does.
    mogu delete --force nosuch
}

@test "unknown flags and missing arguments are usage errors naming them" {
    run mogu create --bundel x id
    [ "$status" -eq 1 ]
    [[ $output == *"unknown flag --bundel"* ]]
    run mogu kill
    [ "$status" -eq 1 ]
    [[ $output == *'"kill" requires a minimum of 1 argument(s)'* ]]
    run mogu kill x SIGNOPE
    [[ $output == *'unknown signal "SIGNOPE"'* ]]
    run mogu frobnicate
    [[ $output == *'unknown command "frobnicate"'* ]]
}

@test "a failing prestart hook fails create and cleans up" {
    make_bundle '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "echo hook says no >&2; exit 3"]}]'
    create_fails 'prestart hook #0 (/bin/sh) failed: exit status 3: hook says no'
}
