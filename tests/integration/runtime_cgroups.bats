#!/usr/bin/env bats
# Resource limits through cgroups on the layout of the machine it runs on: hybrid on this
# project's hosts (v1 controllers plus a cgroup2 mount); tests/vm/suites/runtime-cgroup-v2.sh runs
# the same file in a pure cgroup v2 guest.

load lib/runtime

setup() { runtime_setup; }
teardown() { runtime_teardown; }

# cg_file CONTROLLER V1_FILE [V2_FILE]: the container's file for a controller, in its v1
# hierarchy when the host mounts one, else in the cgroup2 hierarchy under its v2 name.
cg_file() {
    local controller=$1 v1=$2 v2=${3:-$2} mp
    mp=$(awk -v c="$controller" '$9 == "cgroup" && $NF ~ "(^|,)"c"(,|$)" {print $5; exit}' /proc/self/mountinfo)
    if [[ -n $mp ]]; then
        echo "$mp$CGROUP_PARENT/$ID/$v1"
    else
        echo "$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)$CGROUP_PARENT/$ID/$v2"
    fi
}
v2() { [[ $(cg_file memory x) != */memory/* ]]; }

@test "create makes the container's cgroup in every hierarchy and delete removes it" {
    make_bundle
    set_args sleep 100
    run_detached "$ID"
    local pid d
    pid=$(mogu state "$ID" | jq .pid)
    for d in $(cgroup_dirs_of "$ID"); do
        [ -d "$d" ]
        grep -qx "$pid" "$d/cgroup.procs"
    done
    mogu delete --force "$ID"
    assert_nothing_left
}

@test "spec lists runc's namespaces: a cgroup namespace only on a pure cgroup v2 host" {
    mkdir -p "$TEST_TMP/runc-spec" "$TEST_TMP/mogu-spec"
    (cd "$TEST_TMP/runc-spec" && runc spec)
    (cd "$TEST_TMP/mogu-spec" && "$MOGU" spec)
    local ours theirs
    ours=$(jq -c '[.linux.namespaces[].type] | sort' "$TEST_TMP/mogu-spec/config.json")
    theirs=$(jq -c '[.linux.namespaces[].type] | sort' "$TEST_TMP/runc-spec/config.json")
    [ "$ours" = "$theirs" ]
    # A script that adds the cgroup namespace itself, as people do for runc, works.
    make_bundle '.linux.namespaces += [{"type": "cgroup"}] | .linux.namespaces |= unique_by(.type)'
    set_args cat /proc/self/cgroup
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    [[ $output != *"$CGROUP_PARENT/$ID"* ]]
    # Without one (on a host with v1 hierarchies), exec sees its cgroup as the host names it.
    if ! v2; then
        make_bundle
        set_args sleep 100
        run_detached "$ID"
        run mogu exec "$ID" cat /proc/self/cgroup
        [[ $output == *"$CGROUP_PARENT/$ID"* ]]
    fi
}

@test "create in a cgroup that has processes warns; in a frozen cgroup it fails at once" {
    # The container's cgroupsPath names a cgroup that exists, with a process of somebody else's.
    local d sleeper
    sleep 100 &
    sleeper=$!
    for d in $(cgroup_dirs_of "$ID"); do
        mkdir -p "$d"
        # A new v1 cpuset cgroup has no cpus or mems: give each level its parent's.
        if [[ -e $d/cpuset.cpus ]]; then
            local level
            for level in "$d/.." "$d"; do
                cat "$level/../cpuset.cpus" >"$level/cpuset.cpus"
                cat "$level/../cpuset.mems" >"$level/cpuset.mems"
            done
        fi
        echo "$sleeper" >"$d/cgroup.procs"
    done
    make_bundle
    set_args true
    run mogu run "$ID"
    [ "$status" -eq 0 ]
    [[ $output == *"cgroup"*"is not empty: 1 process(es) found"* ]]
    # Frozen, it would freeze the init half-way through create: refused at once.
    if v2; then echo 1 >"$(cg_file x x cgroup.freeze)"; else echo FROZEN >"$(cg_file freezer freezer.state)"; fi
    run timeout 20 "$MOGU" --root "$ROOT" run "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"cgroup"*"is frozen"* ]]
    [ ! -e "$ROOT/$ID" ]
    if v2; then echo 0 >"$(cg_file x x cgroup.freeze)"; else echo THAWED >"$(cg_file freezer freezer.state)"; fi
    kill "$sleeper"
    wait "$sleeper" || true
    for d in $(cgroup_dirs_of "$ID"); do rmdir "$d"; done
}

@test "limits from the spec are written to the cgroup files" {
    make_bundle '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432}
                 | .linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"}
                 | .linux.resources.pids = {"limit": 42}'
    set_args sleep 100
    run_detached "$ID"
    [ "$(cat "$(cg_file memory memory.limit_in_bytes memory.max)")" = 67108864 ]
    [ "$(cat "$(cg_file memory memory.soft_limit_in_bytes memory.low)")" = 33554432 ]
    if v2; then
        [ "$(cat "$(cg_file cpu cpu.max)")" = "50000 100000" ]
        # shares 512 is half the default weight's 1024: below 100 (runc's conversion)
        [ "$(cat "$(cg_file cpu cpu.weight)")" -lt 100 ]
    else
        [ "$(cat "$(cg_file cpu cpu.shares)")" = 512 ]
        [ "$(cat "$(cg_file cpu cpu.cfs_quota_us)")" = 50000 ]
    fi
    [ "$(cat "$(cg_file cpuset cpuset.cpus)")" = 0 ]
    [ "$(cat "$(cg_file pids pids.max)")" = 42 ]
}

@test "keys are matched ignoring case, as runc's Go decoder does: hugepageLimits[].pagesize" {
    # The smallest size the kernel offers (2 MB, or 1 GB alone on some hosts), and a limit of two
    # such pages: the kernel rounds a limit down to whole pages.
    local kb
    kb=$(ls /sys/kernel/mm/hugepages 2>/dev/null | sed -n 's/^hugepages-\([0-9]*\)kB$/\1/p' | sort -n | head -1)
    [[ -n $kb ]] || skip "this kernel offers no huge page sizes"
    awk '$1 == "hugetlb" && $4 == 1 {found=1} END {exit !found}' /proc/cgroups || skip "this kernel has no hugetlb cgroup controller"
    local name limit=$(( 2 * kb * 1024 ))
    name=$(( kb >= 1048576 ? kb / 1048576 : kb / 1024 ))$( (( kb >= 1048576 )) && echo GB || echo MB)
    make_bundle ".linux.resources.hugepageLimits = [{\"pagesize\": \"$name\", \"LIMIT\": $limit}]"
    set_args sleep 100
    run_detached "$ID"
    [ "$(cat "$(cg_file hugetlb "hugetlb.$name.limit_in_bytes" "hugetlb.$name.max")")" = "$limit" ]
}

@test "a limit for the other cgroup version is an invalid configuration that names its key" {
    if v2; then
        # cgroup v1's realtime limits have no cgroup v2 file.
        make_bundle '.linux.resources.cpu = {"realtimeRuntime": 1000, "realtimePeriod": 10000}'
        local key=linux.resources.cpu.realtimeRuntime
    else
        # memory is a v1 hierarchy here: a cgroup v2 key for it has nowhere to go.
        make_bundle '.linux.resources.unified = {"memory.high": "1000000"}'
        local key=linux.resources.unified.memory.high
    fi
    set_args true
    run mogu run "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"$key: invalid configuration: "* ]]
    assert_nothing_left
}

@test "update changes the cgroup files, from flags and from --resources" {
    make_bundle '.linux.resources.memory = {"limit": 67108864}'
    set_args sleep 100
    run_detached "$ID"
    mogu update --memory 128m --pids-limit 77 --cpu-share 256 "$ID"
    [ "$(cat "$(cg_file memory memory.limit_in_bytes memory.max)")" = 134217728 ]
    [ "$(cat "$(cg_file pids pids.max)")" = 77 ]
    if v2; then [ "$(cat "$(cg_file cpu cpu.weight)")" -lt 100 ]; else [ "$(cat "$(cg_file cpu cpu.shares)")" = 256 ]; fi
    echo '{"memory": {"limit": 100663296}, "pids": {"limit": 55}}' | mogu update --resources - "$ID"
    [ "$(cat "$(cg_file memory memory.limit_in_bytes memory.max)")" = 100663296 ]
    [ "$(cat "$(cg_file pids pids.max)")" = 55 ]
    run mogu update --memory lots "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"--memory"* ]]
}

# dockerd 20.10 writes these into every container's config.json, whatever the host: a weight
# of 0 must not need BFQ, shares 0 must not clamp, pids 0 must not stop every fork.
DOCKER_DEFAULT_RESOURCES='{"memory": {"disableOOMKiller": false, "swappiness": 777, "kernel": 0},
    "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0}, "pids": {"limit": 0}, "blockIO": {"weight": 0, "leafWeight": 0}}'

@test "Docker's zero values set no limit: blockIO weight 0, cpu shares 0, pids 0, swappiness -1" {
    make_bundle ".linux.resources += $DOCKER_DEFAULT_RESOURCES"
    set_args sh -c 'sh -c "echo forked" && sleep 100'
    # Docker's swappiness -1 as a uint64, which jq would round: after the last jq edit.
    sed -i 's/"swappiness": 777/"swappiness": 18446744073709551615/' "$BUNDLE/config.json"
    run_detached "$ID"
    wait_for 'grep -q forked "$TEST_TMP/$ID.out"'
    [ "$(cat "$(cg_file pids pids.max)")" = max ]
    if v2; then
        [ "$(cat "$(cg_file cpu cpu.weight)")" = 100 ]
        [ "$(cat "$(cg_file memory memory.max)")" = max ]
    else
        [ "$(cat "$(cg_file cpu cpu.shares)")" = 1024 ]
        [ "$(cat "$(cg_file memory memory.oom_control)" | awk '/oom_kill_disable/ {print $2}')" = 0 ]
    fi
}

@test "update --resources with docker update's zeros changes only the field it names" {
    make_bundle '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 42}'
    set_args sleep 100
    run_detached "$ID"
    # What `docker update --pids-limit 50` sends through containerd's runc shim.
    echo '{"memory":{"limit":0,"reservation":0,"kernel":0},"cpu":{"shares":0,"quota":0,"period":0},"pids":{"limit":50},"blockIO":{"weight":0}}' |
        mogu update --resources - "$ID"
    [ "$(cat "$(cg_file pids pids.max)")" = 50 ]
    [ "$(cat "$(cg_file memory memory.limit_in_bytes memory.max)")" = 67108864 ]
}

@test "a memory hog is OOM-killed at the memory limit" {
    make_bundle '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
    # Grows a shell variable until the kernel kills it.
    set_args sh -c 'x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while :; do x="$x$x"; done'
    run mogu run --keep "$ID"
    [ "$status" -eq 137 ]
    grep -qx 'oom_kill 1' "$(cg_file memory memory.oom_control memory.events)"
    mogu delete "$ID"
    assert_nothing_left
}

@test "a fork loop is contained by the pids limit" {
    make_bundle '.linux.resources.pids = {"limit": 10}'
    # A subshell forks until fork fails (busybox sh then exits); the container's shell goes on.
    set_args sh -c '(while :; do sleep 30 & done); echo contained; sleep 30'
    run_detached "$ID"
    wait_for 'grep -q contained "$TEST_TMP/$ID.out"'
    grep -q "can't fork" "$TEST_TMP/$ID.out"
    [ "$(awk '{print $2}' "$(cg_file pids pids.events)")" -gt 0 ]
    [ "$(cat "$(cg_file pids pids.current)")" -le 10 ]
    [ "$(cat "$(cg_file pids pids.current)")" -ge 8 ]
    mogu delete --force "$ID"
    assert_nothing_left
}

@test "devices outside the allow list cannot be opened" {
    # /dev/kmsg bound in from the host is not one of the container's devices: the cgroup denies it.
    make_bundle '.mounts += [{"destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}]'
    in_c() { set_args sh -c "$1"; run mogu run "$ID"; }
    in_c 'head -c1 /dev/kmsg >/dev/null && echo opened'
    [[ $output != *opened* ]]
    [[ $output == *"Operation not permitted"* ]]
    in_c 'head -c1 /dev/zero | wc -c'
    [ "$output" = 1 ]
}

@test "a device in linux.devices is still denied when the spec's device rules deny it" {
    # The node is created, but listing it grants nothing: the rules are the policy (runc's rule).
    make_bundle '.linux.devices += [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438}]
                 | .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
    set_args sh -c 'ls -l /dev/kmsg; echo "<6>mogu test: device rule check" >/dev/kmsg && echo wrote'
    run mogu run "$ID"
    [[ $output == *"/dev/kmsg"* ]]
    [[ $output != *wrote* ]]
    [[ $output == *"Operation not permitted"* ]]
    # The default devices stay usable under a deny-all rule, as with runc.
    set_args sh -c 'head -c1 /dev/zero | wc -c; echo x >/dev/null && echo null-ok'
    run mogu run "$ID"
    [ "${lines[0]}" = 1 ]
    [ "${lines[1]}" = null-ok ]
    # Allowed by a rule, it opens.
    edit_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
    set_args sh -c 'echo "<6>mogu test: device rule check" >/dev/kmsg && echo wrote'
    run mogu run "$ID"
    [ "$output" = wrote ]
}

@test "events --stats reports memory, cpu, pids and blkio" {
    make_bundle '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
    set_args sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 100'
    run_detached "$ID"
    sleep 0.3
    run mogu events --stats "$ID"
    [ "$status" -eq 0 ]
    jq -e --arg id "$ID" '.type == "stats" and .id == $id' <<<"$output"
    jq -e '.data.memory.usage.usage > 0 and .data.memory.usage.limit == 67108864' <<<"$output"
    jq -e '.data.cpu.usage.total > 0' <<<"$output"
    jq -e '.data.pids.current >= 1 and .data.pids.limit == 50' <<<"$output"
    jq -e '.data.blkio | has("ioServiceBytesRecursive")' <<<"$output"
}

@test "events streams stats records until the container stops" {
    make_bundle
    set_args sleep 1
    run_detached "$ID"
    run timeout 10 "$MOGU" --root "$ROOT" events --interval 200ms "$ID"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -ge 2 ]
    jq -e '.type == "stats"' <<<"${lines[0]}"
}

@test "events reports an oom record when the kernel kills a process for memory" {
    make_bundle '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
    set_args sleep 100
    run_detached "$ID"
    "$MOGU" --root "$ROOT" events --interval 500ms "$ID" >"$TEST_TMP/events" &
    local events=$!
    wait_for 'grep -q "\"type\":\"stats\"" "$TEST_TMP/events"'
    # A hog started once the stream runs: exec'd, it is killed and the container lives on.
    run mogu exec "$ID" sh -c 'x=aaaaaaaaaaaaaaaa; while :; do x="$x$x"; done'
    [ "$status" -eq 137 ]
    wait_for 'grep -q "\"type\":\"oom\"" "$TEST_TMP/events"'
    kill "$events"
    jq -se --arg id "$ID" 'map(select(.type == "oom")) | length >= 1 and all(.id == $id)' "$TEST_TMP/events"
}
