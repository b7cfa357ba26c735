#!/usr/bin/env bats
# Containers see their own limits through LXCFS: the real procps and sysstat tools inside real
# containers, a real LXCFS (private to this file), and the repair after LXCFS restarts.

load lib/runtime
load lib/lxcfs

TOOLS_ROOTFS=$MOGU_SRC/tests/fixtures/out/tools-rootfs

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    if why=$(lxcfs_missing); then
        export LXCFS_SKIP=$why
        return 0
    fi
    export LXCFS_DIR
    LXCFS_DIR=$(mktemp -d /tmp/mogu-lxcfs.XXXXXX)
    start_lxcfs "$LXCFS_DIR"
    export LXCFS_MNT
}

teardown_file() {
    [[ -n ${LXCFS_SKIP:-} ]] && return 0
    stop_lxcfs "$LXCFS_DIR"
    rm -rf "$LXCFS_DIR"
}

setup() {
    [[ -z ${LXCFS_SKIP:-} ]] || skip "$LXCFS_SKIP"
    [[ -x $TOOLS_ROOTFS/usr/bin/free ]] || { echo "the tools rootfs is missing (make fixtures)" >&2; return 1; }
    runtime_setup
}
teardown() { runtime_teardown; }

# mogu with this file's LXCFS.
lx() { "$MOGU" --root "$ROOT" --lxcfs-path "$LXCFS_MNT" "$@"; }

# tools_bundle [JQ...]: the tools rootfs, the views asked for, TERM for top.
tools_bundle() {
    FIXTURE_ROOTFS=$TOOLS_ROOTFS make_bundle '.annotations["io.mogu.lxcfs"] = "true" | .process.env += ["TERM=dumb"]' "$@"
}

fuse_mounts_on_host() { grep -c ' - fuse' /proc/self/mountinfo || true; }

@test "free inside a container with a 256 MiB limit shows 256 MiB" {
    tools_bundle '.linux.resources.memory = {"limit": 268435456}'
    set_args free -m
    run lx run "$ID"
    [ "$status" -eq 0 ]
    [ "$(awk '/^Mem:/ {print $2}' <<<"$output")" = 256 ]
    # Without the annotation: the host's memory.
    edit_config 'del(.annotations["io.mogu.lxcfs"])'
    run lx run "$ID"
    [ "$(awk '/^Mem:/ {print $2}' <<<"$output")" = "$(free -m | awk '/^Mem:/ {print $2}')" ]
}

@test "a container without a memory limit sees the host's memory, as with LXCFS elsewhere" {
    tools_bundle
    set_args free -m
    run lx run "$ID"
    [ "$status" -eq 0 ]
    local host ours
    host=$(free -m | awk '/^Mem:/ {print $2}')
    ours=$(awk '/^Mem:/ {print $2}' <<<"$output")
    # LXCFS reports the limit of the cgroup, which is the host's memory here (give or take a page).
    (( ours >= host - 64 && ours <= host + 64 ))
}

@test "/proc/cpuinfo and /sys/devices/system/cpu/online follow the CPU quota" {
    local host_cpus
    host_cpus=$(nproc --all)
    (( host_cpus >= 2 )) || skip "this host has one CPU: a quota cannot show fewer"
    # Half a CPU: LXCFS rounds up to one, below the host's count.
    tools_bundle '.linux.resources.cpu = {"quota": 50000, "period": 100000}'
    set_args sh -c 'grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online; top -b -n1 | head -3 >/dev/null && echo top-ok'
    run lx run "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1 ]
    [ "${lines[1]}" = 0 ]
    [ "${lines[2]}" = top-ok ]
}

@test "a quota of 1.5 CPUs shows 2 CPUs in /proc/cpuinfo and /sys/devices/system/cpu/online" {
    local host_cpus
    host_cpus=$(nproc --all)
    (( host_cpus >= 3 )) || skip "this host has $host_cpus CPUs: 2 CPUs under a quota of 1.5 could not be told from the host's own"
    tools_bundle '.linux.resources.cpu = {"quota": 150000, "period": 100000}'
    set_args sh -c 'grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online'
    run lx run "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 2 ]
    [ "${lines[1]}" = 0-1 ]
}

@test "uptime counts from the container's start" {
    tools_bundle
    set_args sleep 100
    lx run -d "$ID" </dev/null >/dev/null 2>&1
    sleep 2
    run lx exec "$ID" cat /proc/uptime
    [ "$status" -eq 0 ]
    local up=${output%%.*}
    (( up >= 1 && up < 30 ))
    run lx exec "$ID" uptime
    [[ $output == *"up 0 min"* ]]
    # Not the host's, which has been up for longer.
    (( $(cut -d. -f1 /proc/uptime) > up ))
}

@test "busy loops raise the container's own load average, not a neighbour's" {
    tools_bundle
    set_args sh -c 'while :; do :; done & while :; do :; done & wait'
    lx run -d "$ID" </dev/null >/dev/null 2>&1
    local idle=$ID-idle
    ID=$idle tools_bundle
    edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$idle\""
    set_args sleep 100
    lx run -d "$idle" </dev/null >/dev/null 2>&1
    # LXCFS samples every 5 s; the 1-minute average of two busy tasks passes 0.2 within ~10 s.
    local busy_load i
    for i in $(seq 30); do
        busy_load=$(lx exec "$ID" cat /proc/loadavg | cut -d' ' -f1)
        awk -v l="$busy_load" 'BEGIN {exit !(l >= 0.2)}' && break
        sleep 1
    done
    awk -v l="$busy_load" 'BEGIN {exit !(l >= 0.2)}'
    # The same load from outside, for a throttler on the host, with the container's PSI.
    local stats
    stats=$(lx events --stats "$ID")
    jq -e '.data.loadavg.avg1 >= 0.1 and .data.loadavg.tasks >= 1' <<<"$stats"
    if [[ -e /proc/pressure/cpu ]]; then jq -e '.data.cpu.psi.some.avg10 >= 0 and .data.memory.psi.full.total >= 0' <<<"$stats"; fi
    run lx stats --format json "$ID"
    jq -e '.[0].load1 >= 0.1' <<<"$output"
    local idle_load
    idle_load=$(lx exec "$idle" cat /proc/loadavg | cut -d' ' -f1)
    awk -v i="$idle_load" -v b="$busy_load" 'BEGIN {exit !(i < 0.1 && i < b)}'
    lx delete --force "$idle"
}

@test "writes inside show in the container's iostat" {
    # A bind of a host directory on a real disk: the container's direct writes reach the block
    # layer and are counted against its cgroup.
    mkdir -p /var/tmp/mogu-lxcfs-io
    COPY_ROOTFS=0 tools_bundle '.mounts += [{"destination": "/data", "type": "bind", "source": "/var/tmp/mogu-lxcfs-io", "options": ["rbind"]}]'
    set_args sh -c 'dd if=/dev/zero of=/data/f bs=1M count=16 oflag=direct 2>/dev/null; iostat -d -k | awk "NR > 3 && NF >= 6 {w += \$7} END {print w+0}"'
    run lx run "$ID"
    rm -rf /var/tmp/mogu-lxcfs-io
    [ "$status" -eq 0 ]
    (( ${lines[-1]} >= 16384 ))
}

@test "the views are read-only and gone from the host after delete" {
    local before
    before=$(fuse_mounts_on_host)
    tools_bundle
    set_args sh -c 'echo x >/proc/meminfo || echo refused; grep -c fuse.lxcfs /proc/self/mountinfo'
    run lx run "$ID"
    [[ $output == *refused* ]]
    (( ${lines[-1]} >= 8 ))
    [ "$(fuse_mounts_on_host)" = "$before" ]
    assert_nothing_left
}

@test "a masked /proc file stays masked, a /proc that is not procfs is left alone" {
    tools_bundle '.linux.maskedPaths += ["/proc/meminfo"]'
    set_args sh -c 'wc -c </proc/meminfo; head -1 /proc/uptime'
    run lx run "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    # A tmpfs at /proc: nothing is bound into it.
    tools_bundle '.mounts |= map(if .destination == "/proc" then {"destination": "/proc", "type": "tmpfs", "source": "tmpfs"} else . end)'
    set_args sh -c 'ls /proc | wc -l'
    run lx run "$ID"
    [ "$status" -eq 0 ]
    [ "$output" = 0 ]
}

@test "a user-namespaced container gets the views too, even from an LXCFS it could not reach" {
    # This file's LXCFS sits under a 0700 directory of host root: the init, root only in its user
    # namespace, cannot walk to it; the runtime opens the views for it.
    [ "$(stat -c %a "$LXCFS_DIR")" = 700 ]
    tools_bundle '.linux.resources.memory = {"limit": 134217728}' \
        '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
         | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    set_args free -m
    run lx run "$ID"
    [ "$status" -eq 0 ]
    [ "$(awk '/^Mem:/ {print $2}' <<<"$output")" = 128 ]
}

@test "--lxcfs sets the host's default; a container's annotation overrides it" {
    FIXTURE_ROOTFS=$TOOLS_ROOTFS make_bundle '.linux.resources.memory = {"limit": 268435456}'
    set_args free -m
    run lx --lxcfs=true run "$ID"
    [ "$(awk '/^Mem:/ {print $2}' <<<"$output")" = 256 ]
    edit_config '.annotations["io.mogu.lxcfs"] = "false"'
    run lx --lxcfs=true run "$ID"
    [ "$(awk '/^Mem:/ {print $2}' <<<"$output")" != 256 ]
    run lx --lxcfs=sometimes run "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *'--lxcfs: "sometimes" is not one of true, false, required'* ]]
}

@test "bad values and a missing LXCFS: a clear error for required, a warning for true, nothing left" {
    tools_bundle '.annotations["io.mogu.lxcfs"] = "yes"'
    set_args true
    run lx run "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *'annotations["io.mogu.lxcfs"]: "yes" is not one of true, false, required'* ]]
    assert_nothing_left
    mkdir -p "$TEST_TMP/no-lxcfs"
    edit_config '.annotations["io.mogu.lxcfs"] = "required"'
    run "$MOGU" --root "$ROOT" --lxcfs-path "$TEST_TMP/no-lxcfs" run "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"required"*"nothing is mounted at $TEST_TMP/no-lxcfs"* ]]
    assert_nothing_left
    edit_config '.annotations["io.mogu.lxcfs"] = "true"'
    set_args sh -c 'grep -c fuse /proc/self/mountinfo || true'
    run "$MOGU" --root "$ROOT" --lxcfs-path "$TEST_TMP/no-lxcfs" run "$ID"
    [ "$status" -eq 0 ]
    [[ $output == *"nothing is mounted at $TEST_TMP/no-lxcfs"*"host's /proc"* ]]
    [ "${lines[-1]}" = 0 ]
    assert_nothing_left
}

@test "after LXCFS is killed and restarted, lxcfs repair brings free back without a restart" {
    tools_bundle '.linux.resources.memory = {"limit": 268435456}'
    set_args sleep 100
    lx run -d "$ID" </dev/null >/dev/null 2>&1
    local pid
    pid=$(lx state "$ID" | jq .pid)
    run lx exec "$ID" free -m
    [ "$(awk '/^Mem:/ {print $2}' <<<"$output")" = 256 ]
    stop_lxcfs "$LXCFS_DIR" -KILL
    run lx exec "$ID" free -m
    [ "$status" -ne 0 ]
    run lx exec "$ID" cat /proc/meminfo
    [[ $output == *"Transport endpoint is not connected"* ]]
    start_lxcfs "$LXCFS_DIR"
    local up=$EPOCHREALTIME
    run lx lxcfs repair "$ID"
    [ "$status" -eq 0 ]
    [[ $output == *"$ID: 9 views re-bound"* || $output == *"$ID: "*" views re-bound"* ]]
    run lx exec "$ID" free -m
    [ "$status" -eq 0 ]
    [ "$(awk '/^Mem:/ {print $2}' <<<"$output")" = 256 ]
    # Within 5 s of the new LXCFS coming up, repair and exec included.
    awk -v a="$up" -v b="$EPOCHREALTIME" 'BEGIN {d = b - a; print "free back after " d " s"; exit !(d < 5)}'
    # The same container, not a new one.
    [ "$(lx state "$ID" | jq .pid)" = "$pid" ]
    run lx lxcfs repair --all
    [ "$status" -eq 0 ]
    run lx lxcfs repair
    [ "$status" -eq 1 ]
}

@test "what LXCFS serves is remembered per LXCFS mount for a minute; a restarted LXCFS is probed afresh" {
    tools_bundle
    set_args sh -c 'grep -c " - fuse" /proc/self/mountinfo'
    # The first create of a fresh --root makes it; the answer is kept from the second on.
    lx run "$ID" >/dev/null
    run lx run "$ID"
    [ "$status" -eq 0 ]
    local all=${lines[-1]}
    (( all >= 2 ))
    local cache=$ROOT/lxcfs@probe
    [ "$(sed -n 2p "$cache")" = "$LXCFS_MNT" ]
    grep -qx proc/meminfo "$cache"
    # The next create takes the remembered list: one file left in it gives one view.
    sed -i '4,$d' "$cache"
    echo proc/meminfo >>"$cache"
    run lx run "$ID"
    [ "${lines[-1]}" = 1 ]
    # An old answer is not taken.
    touch -d '2 minutes ago' "$cache"
    run lx run "$ID"
    [ "${lines[-1]}" = "$all" ]
    # Nor one about another mount: a restarted LXCFS is a new mount.
    local before
    before=$(sed -n 3p "$cache")
    sed -i '4,$d' "$cache"
    echo proc/meminfo >>"$cache"
    stop_lxcfs "$LXCFS_DIR"
    start_lxcfs "$LXCFS_DIR"
    run lx run "$ID"
    [ "${lines[-1]}" = "$all" ]
    [ "$(sed -n 3p "$cache")" != "$before" ]
    # A cache that does not read as one is ignored.
    echo garbage >"$cache"
    run lx run "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = "$all" ]
    assert_nothing_left
}
