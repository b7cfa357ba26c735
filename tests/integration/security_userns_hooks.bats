#!/usr/bin/env bats
# User namespaces (mapped ids, joining by path, rootless) and OCI hooks (when, where, with what).

load lib/runtime

setup() { runtime_setup; }
teardown() { runtime_teardown; }

userns_bundle() {
    COPY_ROOTFS=1 make_bundle '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]' "$@"
    # The image's files belong to the mapped root, as an image unpacked for this mapping would;
    # the bundle's directories must be reachable by that root.
    chown -R 100000:100000 "$BUNDLE/rootfs"
    chmod 755 "$TEST_TMP" "$BUNDLE"
    chown 101000:101000 "$BUNDLE/rootfs/home/user"
}

@test "in a user namespace id shows the mapped ids and files show their mapped owners" {
    userns_bundle
    set_args sh -c 'id; stat -c "%u:%g" / /bin/busybox /home/user; cat /proc/self/uid_map'
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "uid=0(root) gid=0(root)"* ]]
    [ "${lines[1]}" = 0:0 ]
    [ "${lines[2]}" = 0:0 ]
    [ "${lines[3]}" = 1000:1000 ]
    [[ ${lines[4]} =~ ^\ +0\ +100000\ +65536$ ]]
    assert_nothing_left
}

@test "the container's root is not the host's root: host files stay out of reach" {
    userns_bundle
    edit_config ".mounts += [{\"destination\": \"/hostfile\", \"type\": \"bind\", \"source\": \"$TEST_TMP/secret\", \"options\": [\"bind\"]}]"
    echo secret >"$TEST_TMP/secret"
    chmod 600 "$TEST_TMP/secret"
    set_args sh -c 'cat /hostfile; stat -c %u /hostfile'
    run mogu run "$ID"
    [[ $output == *"Permission denied"* ]]
    [ "${lines[-1]}" = 65534 ]
}

@test "a bind source behind a directory only host root may enter is mounted in a user namespace" {
    # The init is root only in its user namespace: it cannot walk through private/ (0700, host
    # root). The runtime opens the source for it, as runc does.
    userns_bundle
    mkdir -p "$TEST_TMP/private/shared"
    chmod 700 "$TEST_TMP/private"
    echo visible >"$TEST_TMP/private/shared/file"
    chmod 644 "$TEST_TMP/private/shared/file"
    edit_config ".mounts += [{\"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"$TEST_TMP/private/shared\", \"options\": [\"rbind\", \"ro\"]}]"
    set_args sh -c 'cat /shared/file; touch /shared/x || echo read-only'
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = visible ]
    [[ $output == *read-only* ]]
    assert_nothing_left
    # A source that does not exist is still named in the error.
    edit_config ".mounts[-1].source = \"$TEST_TMP/private/nosuch\""
    run mogu run "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"bind source \"$TEST_TMP/private/nosuch\""*"No such file or directory"* ]]
    assert_nothing_left
}

@test "a user namespace given by path is joined" {
    userns_bundle
    set_args sleep 100
    run_detached "$ID"
    local pid
    pid=$(mogu state "$ID" | jq .pid)
    local second=$ID-joined
    ID=$second make_bundle ".linux.namespaces += [{\"type\": \"user\", \"path\": \"/proc/$pid/ns/user\"}] | .linux.cgroupsPath = \"$CGROUP_PARENT/$second\""
    rm -f "$BUNDLE/rootfs" && ln -s "$TEST_TMP/bundle-rootfs-copy" "$BUNDLE/rootfs"
    cp -a "$FIXTURE_ROOTFS" "$TEST_TMP/bundle-rootfs-copy" && chown -R 100000:100000 "$TEST_TMP/bundle-rootfs-copy"
    set_args sh -c 'cat /proc/self/uid_map; id -u'
    run mogu run "$second"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} =~ ^\ +0\ +100000\ +65536$ ]]
    [ "${lines[1]}" = 0 ]
}

@test "overlapping or missing id mappings are refused with their path" {
    make_bundle '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}, {"containerID": 5, "hostID": 200000, "size": 10}]
                 | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}]'
    run mogu create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"linux.uidMappings"* ]]
    assert_nothing_left
    make_bundle '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}]'
    run mogu create --bundle "$BUNDLE" "$ID"
    [[ $output == *"linux.uidMappings: a new user namespace needs both uidMappings and gidMappings"* ]]
    assert_nothing_left
}

@test "rootless: an ordinary user runs the basic lifecycle in a user namespace" {
    local user=mogu-rootless
    id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
    local uid gid
    uid=$(id -u "$user") gid=$(id -g "$user")
    [ -r /proc/sys/kernel/unprivileged_userns_clone ] && [ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 0 ] && skip "unprivileged user namespaces are disabled"
    mkdir -p "$TEST_TMP/rl"
    cp -a "$FIXTURE_ROOTFS" "$TEST_TMP/rl/rootfs"
    (cd "$TEST_TMP/rl" && "$MOGU" spec --rootless)
    jq ".process.terminal = false | .linux.uidMappings[0].hostID = $uid | .linux.gidMappings[0].hostID = $gid
        | .process.args = [\"sh\", \"-c\", \"id -u; cat /proc/self/uid_map; hostname\"]" "$TEST_TMP/rl/config.json" >"$TEST_TMP/rl/c"
    mv "$TEST_TMP/rl/c" "$TEST_TMP/rl/config.json"
    chown -R "$uid:$gid" "$TEST_TMP/rl"
    chmod 755 "$TEST_TMP"
    local as_user=(setpriv --reuid "$uid" --regid "$gid" --clear-groups env XDG_RUNTIME_DIR="$TEST_TMP/rl/run")
    run "${as_user[@]}" "$MOGU" --root "$TEST_TMP/rl/state" run --bundle "$TEST_TMP/rl" rootless1
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [[ ${lines[1]} =~ ^\ +0\ +$uid\ +1$ ]]
    [ "${lines[2]}" = mogu ]
    # create/start/state/kill/delete as the same user
    jq '.process.args = ["sleep", "100"]' "$TEST_TMP/rl/config.json" >"$TEST_TMP/rl/c" && mv "$TEST_TMP/rl/c" "$TEST_TMP/rl/config.json"
    chown "$uid:$gid" "$TEST_TMP/rl/config.json"
    "${as_user[@]}" "$MOGU" --root "$TEST_TMP/rl/state" create --bundle "$TEST_TMP/rl" rootless2 </dev/null >/dev/null 2>&1
    "${as_user[@]}" "$MOGU" --root "$TEST_TMP/rl/state" start rootless2
    [ "$("${as_user[@]}" "$MOGU" --root "$TEST_TMP/rl/state" state rootless2 | jq -r .status)" = running ]
    "${as_user[@]}" "$MOGU" --root "$TEST_TMP/rl/state" kill rootless2 KILL
    wait_for '[ "$("${as_user[@]}" "$MOGU" --root "$TEST_TMP/rl/state" state rootless2 | jq -r .status)" = stopped ]'
    "${as_user[@]}" "$MOGU" --root "$TEST_TMP/rl/state" delete rootless2
    [ -z "$(ls -A "$TEST_TMP/rl/state")" ]
}

# hook KIND [IN_CONTAINER]: a hook that appends "KIND <its uts namespace> <status from its state>"
# to the marks file. startContainer runs after pivot_root, so it uses the container's paths.
hook() {
    local dir=$TEST_TMP/m
    [[ ${2:-} == in-container ]] && dir=/m
    echo "{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"$dir/hook.sh\", \"$1\", \"$dir/marks\"]}"
}

@test "each hook kind runs at its moment, in its namespace, with the state on stdin" {
    make_bundle
    mkdir -p "$TEST_TMP/m"
    cat >"$TEST_TMP/m/hook.sh" <<'H'
state=$(cat)
echo "$1 $(readlink /proc/self/ns/uts) $(echo "$state" | grep -o '"status":"[a-z]*"') $(echo "$state" | grep -o '"pid":[0-9]*')" >>"$2"
H
    local h
    h=$(jq -n "{prestart: [$(hook prestart)], createRuntime: [$(hook createRuntime)], createContainer: [$(hook createContainer)],
                startContainer: [$(hook startContainer in-container)], poststart: [$(hook poststart)], poststop: [$(hook poststop)]}")
    edit_config ".hooks = $h" ".mounts += [{\"destination\": \"/m\", \"type\": \"bind\", \"source\": \"$TEST_TMP/m\", \"options\": [\"bind\"]}]"
    set_args sleep 100
    mogu create --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" "$ID" </dev/null >/dev/null 2>&1
    local host_uts marks=$TEST_TMP/m/marks pid
    host_uts=$(readlink /proc/self/ns/uts)
    pid=$(cat "$TEST_TMP/pid")
    # After create: prestart and createRuntime (runtime namespaces), createContainer (the container's).
    [ "$(cut -d' ' -f1 "$marks" | tr '\n' ' ')" = "prestart createRuntime createContainer " ]
    grep -qF "prestart $host_uts \"status\":\"creating\" \"pid\":$pid" "$marks"
    grep -qF "createRuntime $host_uts " "$marks"
    grep -q "^createContainer " "$marks"
    ! grep -qF "createContainer $host_uts" "$marks" || false
    grep "^createContainer " "$marks" | grep -qF "\"pid\":$pid"
    mogu start "$ID"
    wait_for 'grep -q ^poststart "$TEST_TMP/m/marks"'
    grep -q "^startContainer " "$marks"
    ! grep -qF "startContainer $host_uts" "$marks" || false
    grep -qF "poststart $host_uts \"status\":\"running\"" "$marks"
    ! grep -q ^poststop "$marks" || false
    mogu delete --force "$ID"
    grep -qF "poststop $host_uts \"status\":\"stopped\"" "$marks"
    assert_nothing_left
}

@test "createContainer hooks run with the container's root as their working directory" {
    make_bundle ".hooks.createContainer = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"pwd >$TEST_TMP/hook-cwd\"]}]"
    set_args true
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    [ "$(cat "$TEST_TMP/hook-cwd")" = "$(realpath "$BUNDLE/rootfs")" ]
}

@test "a hook's args, env and timeout are honoured" {
    make_bundle '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "echo $HOOKVAR $0 >'"$TEST_TMP"'/env", "arg0"], "env": ["HOOKVAR=from-env"]},
                                    {"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]'
    local t0=$SECONDS
    run mogu create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"prestart hook #1 (/bin/sleep) timed out after 1s"* ]]
    (( SECONDS - t0 < 20 ))
    [ "$(cat "$TEST_TMP/env")" = "from-env arg0" ]
    assert_nothing_left
}

@test "failing hooks fail their verb and clean up, except poststart and poststop, which only warn" {
    make_bundle '.hooks.createContainer = [{"path": "/bin/false"}]'
    run mogu create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"createContainer hook #0 (/bin/false) failed: exit status 1"* ]]
    assert_nothing_left
    # The spec: a failing poststart hook is a warning; the others run and the container runs on.
    make_bundle ".hooks.poststart = [{\"path\": \"/bin/false\"}, {\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo ran >$TEST_TMP/poststart-1\"]}]"
    set_args sleep 100
    mogu create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
    run mogu start "$ID"
    [ "$status" -eq 0 ]
    [[ $output == *"poststart hook #0 (/bin/false) failed"* ]]
    [ "$(cat "$TEST_TMP/poststart-1")" = ran ]
    [ "$(status_of "$ID")" = running ]
    mogu delete --force "$ID"
    # Every poststop hook runs, each failure is a warning, and delete succeeds.
    make_bundle ".hooks.poststop = [{\"path\": \"/bin/false\"}, {\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"exit 7\"]},
                                    {\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo ran >$TEST_TMP/poststop-2\"]}]"
    set_args true
    mogu create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
    mogu start "$ID"
    wait_for '[ "$(status_of "$ID")" = stopped ]'
    run mogu delete "$ID"
    [ "$status" -eq 0 ]
    [[ $output == *"poststop hook #0 (/bin/false) failed"* ]]
    [[ $output == *"poststop hook #1 (/bin/sh) failed: exit status 7"* ]]
    [ "$(cat "$TEST_TMP/poststop-2")" = ran ]
    assert_nothing_left
    make_bundle '.hooks.prestart = [{"path": "/no/such/hook"}]'
    run mogu create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"prestart hook #0 (/no/such/hook) failed"*"No such file or directory"* ]]
    assert_nothing_left
}
