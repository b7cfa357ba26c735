#!/usr/bin/env bats
# mogu-monitor against real containers: run by mogu directly (a private --root) and by a private
# containerd with the mogu shim (two containerd namespaces; one container doing direct I/O, its
# block I/O, CPU, PSI and load series against its cgroup files), scraped with curl, checked with
# promtool, and scraped by Debian's Prometheus, queried over its HTTP API.

load lib/runtime
bats_require_minimum_version 1.5.0
load lib/monitor

# Our own containerd namespaces: /run/containerd/mogu/<ns> is shared with whoever else runs
# containerd tests on this host, and the monitor must look only at ours.
CTD_NS=mogu-monitor-a
CTD_NS_B=mogu-monitor-b
load lib/containerd
load lib/docker
load lib/lxcfs


setup() {
    runtime_setup
    [[ -x $MONITOR ]] || { echo "mogu-monitor missing at $MONITOR (run make)" >&2; return 1; }
    command -v curl >/dev/null || { echo "curl missing (make deps)" >&2; return 1; }
}

teardown() {
    [[ -n ${PROM_PID:-} ]] && { kill "$PROM_PID" 2>/dev/null; wait "$PROM_PID" 2>/dev/null || true; }
    [[ -n ${MON_PID:-} ]] && { kill "$MON_PID" 2>/dev/null; wait "$MON_PID" 2>/dev/null || true; }
    # The veth's host end, if the test failed before the container's namespace took its peer away.
    [[ -n ${NET_IF:-} ]] && ip link del "$NET_IF" 2>/dev/null || true
    [[ -n ${DKR_DIR:-} ]] && stop_dockerd
    if [[ -n ${CTD_DIR:-} ]]; then
        stop_containerd
        # The shim's state roots of our namespaces (empty once their containers are gone).
        rmdir "/run/containerd/mogu/$CTD_NS" "/run/containerd/mogu/$CTD_NS_B" 2>/dev/null || true
    fi
    # After containerd: its containers had LXCFS's files bound.
    [[ -n ${LXCFS_DIR:-} ]] && stop_lxcfs "$LXCFS_DIR"
    remove_cgroup_parent "/$CTD_NS_B"
    runtime_teardown
}

# start_monitor ROOT_PATTERN...: mogu-monitor on a port the kernel picks, collecting every
# 200 ms from those roots; sets MON_PID and MON_URL once it answers.
start_monitor() {
    local roots
    roots=$(printf '"%s",' "$@")
    cat >"$TEST_TMP/monitor.toml" <<EOF
listen = "127.0.0.1:0"
interval = "200ms"
[containers]
roots = [${roots%,}]
EOF
    launch_monitor
}

# A container of mogu's with a memory and a PID limit that keeps 16 MiB in its tmpfs /tmp.
run_memory_holder() {
    local id=$1
    make_bundle '.linux.resources.memory.limit = 67108864' '.linux.resources.pids.limit = 32'
    set_args /bin/sh -c 'dd if=/dev/zero of=/tmp/fill bs=1M count=16 2>/dev/null; exec sleep 300'
    run_detached "$id"
    wait_for "[[ \$(mogu state $id | jq -r .status) == running ]]"
}

# The container's memory usage as the kernel reports it (cgroup v1 memory controller or v2).
cgroup_memory_usage() {
    local id=$1 m
    for m in $(cgroup_mounts); do
        [[ -f $m$CGROUP_PARENT/$id/memory.usage_in_bytes ]] && { cat "$m$CGROUP_PARENT/$id/memory.usage_in_bytes"; return; }
        [[ -f $m$CGROUP_PARENT/$id/memory.current ]] && { cat "$m$CGROUP_PARENT/$id/memory.current"; return; }
    done
    echo "no memory cgroup for $id" >&2
    return 1
}

# cgroup_blkio CGROUP: the block I/O the kernel counted for the cgroup at that path (/ns/id), one
# "MAJ:MIN read_bytes write_bytes reads writes" line a device, from the files mogu-monitor reads
# (runtime/cgroups/stats_v1.cpp, stats_v2.cpp): on v1 the first blkio family that has entries
# (BFQ, CFQ, then the throttling layer, recursive file first, which counts every I/O), on v2
# io.stat. Names the file it read on stderr; prints nothing when the cgroup has none.
cgroup_blkio() {
    local cg=$1 m fam bytes ios final
    for m in $(cgroup_mounts); do
        [[ -d $m$cg ]] || continue
        for fam in blkio.bfq.io_service_bytes_recursive:blkio.bfq.io_serviced_recursive:0 \
            blkio.io_service_bytes_recursive:blkio.io_serviced_recursive:0 \
            blkio.throttle.io_service_bytes_recursive:blkio.throttle.io_serviced_recursive:1 \
            blkio.throttle.io_service_bytes:blkio.throttle.io_serviced:1; do
            IFS=: read -r bytes ios final <<<"$fam"
            [[ -f $m$cg/$bytes ]] || continue
            grep -q '^[0-9]*:[0-9]* ' "$m$cg/$bytes" || [[ $final == 1 ]] || continue
            echo "block I/O of $cg from $m$cg/$bytes and $ios" >&2
            awk 'FNR == 1 { file++ }
                 NF == 3 && $1 ~ /^[0-9]+:[0-9]+$/ { dev[$1] = 1; v[file, $1, $2] = $3 }
                 END { for (d in dev) print d, v[1, d, "Read"] + 0, v[1, d, "Write"] + 0, v[2, d, "Read"] + 0, v[2, d, "Write"] + 0 }' \
                "$m$cg/$bytes" "$m$cg/$ios"
            return
        done
        if [[ -f $m$cg/io.stat ]]; then
            echo "block I/O of $cg from $m$cg/io.stat" >&2
            awk '{ split("", kv); for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = p[2] }
                   print $1, kv["rbytes"] + 0, kv["wbytes"] + 0, kv["rios"] + 0, kv["wios"] + 0 }' "$m$cg/io.stat"
            return
        fi
    done
}

# A block device as the monitor's device label names it: /dev/NAME from sysfs, else MAJ:MIN.
block_device_label() {
    local name
    name=$(sed -n 's/^DEVNAME=//p' "/sys/dev/block/$1/uevent" 2>/dev/null)
    if [[ -n $name ]]; then echo "/dev/$name"; else echo "$1"; fi
}

# cgroup_cpu_ns CGROUP: the cgroup's CPU time in ns, as the monitor reads it: v1 cpuacct.usage,
# else v2 cpu.stat's usage_usec.
cgroup_cpu_ns() {
    local cg=$1 m
    for m in $(cgroup_mounts); do
        [[ -f $m$cg/cpuacct.usage ]] && { cat "$m$cg/cpuacct.usage"; return; }
    done
    for m in $(cgroup_mounts); do
        [[ -f $m$cg/cpu.stat ]] && { awk '$1 == "usage_usec" {print $2 * 1000}' "$m$cg/cpu.stat"; return; }
    done
    echo "no CPU accounting file for $cg" >&2
    return 1
}

# psi_total FILE some|full: that line's total of a *.pressure file, in µs (0 when the kernel
# has no such line, as cpu.pressure's "full" before 5.13, and as the monitor reads it then).
psi_total() { awk -v kind="$2" '$1 == kind {sub("total=", "", $5); t = $5} END {print t + 0}' "$1"; }

# near A B TOLERANCE [SCALE]: |A * SCALE - B| <= TOLERANCE (floats; SCALE 1 unless given).
near() {
    [[ -n $1 && -n $2 ]] || { echo "near: a figure is missing ('$1', '$2')" >&2; return 1; }
    awk -v a="$1" -v b="$2" -v t="$3" -v s="${4:-1}" 'BEGIN { d = a * s - b; exit !(d <= t && d >= -t) }'
}

@test "the scrape of a running container passes promtool check metrics" {
    command -v promtool >/dev/null || skip "promtool missing (Debian's prometheus package; make deps)"
    run_memory_holder "$ID"
    start_monitor "$ROOT"
    wait_until 5 "scrape | grep -q 'name=\"$ID\"'"
    scrape >"$TEST_TMP/scrape.txt"
    # The container's series are there: the check is not of an empty page.
    grep -q "^container_cpu_usage_seconds_total{.*name=\"$ID\"" "$TEST_TMP/scrape.txt"
    grep -q "^container_spec_memory_limit_bytes{.*name=\"$ID\".*} 67108864$" "$TEST_TMP/scrape.txt"
    grep -q "^container_threads_max{.*name=\"$ID\".*} 32$" "$TEST_TMP/scrape.txt"
    grep -q "^container_oom_events_total{" "$TEST_TMP/scrape.txt"
    run bash -c "promtool check metrics <'$TEST_TMP/scrape.txt' 2>&1"
    echo "$output"
    [ -z "$output" ]
    # The content type Prometheus negotiates for the text format.
    curl -sfI "$MON_URL" | grep -qi '^content-type: text/plain; version=0.0.4'
}

@test "a container's memory usage in the metrics matches its cgroup file" {
    run_memory_holder "$ID"
    start_monitor "$ROOT"
    wait_until 5 "scrape | grep -q 'name=\"$ID\"'"
    # The 16 MiB in /tmp are in: the container has settled.
    wait_until 10 "(( \$(cgroup_memory_usage $ID) >= 16 << 20 ))"
    local before after metric
    before=$(cgroup_memory_usage "$ID")
    sleep 0.5  # at least one collection after `before`
    metric=$(metric_value container_memory_usage_bytes "name=\"$ID\"")
    after=$(cgroup_memory_usage "$ID")
    echo "cgroup before $before, metric $metric, cgroup after $after"
    local lo=$((before < after ? before : after)) hi=$((before > after ? before : after))
    (( metric >= lo - 262144 && metric <= hi + 262144 ))
    # The tmpfs file is page cache (shmem): container_memory_cache sees it.
    (( $(metric_value container_memory_cache "name=\"$ID\"") >= 16 << 20 ))
    [ "$(metric_value container_spec_memory_limit_bytes "name=\"$ID\"")" = 67108864 ]
    # Labels: the cgroup path as cAdvisor's id, no containerd namespace for mogu run directly.
    scrape | grep -q "^container_memory_usage_bytes{id=\"$CGROUP_PARENT/$ID\",name=\"$ID\",containerd_namespace=\"\","
}

@test "a deleted container disappears from the metrics and the monitor keeps going" {
    run_memory_holder "$ID-a"
    run_memory_holder "$ID-b"
    start_monitor "$ROOT"
    wait_until 5 "scrape | grep -q 'name=\"$ID-a\"' && scrape | grep -q 'name=\"$ID-b\"'"
    mogu delete --force "$ID-a"
    wait_until 5 "! scrape | grep -q 'name=\"$ID-a\"'"
    scrape | grep -q "name=\"$ID-b\""
    [ "$(metric_value mogu_monitor_containers)" = 1 ]
    kill -0 "$MON_PID"
}

@test "containers coming and going during collections never crash the monitor nor leave series" {
    make_bundle
    set_args /bin/sleep 300
    start_monitor "$ROOT"
    # Containers created and deleted while the monitor reads every 200 ms; some deletes land
    # between its listing and its reading of their cgroups.
    local i
    for i in $(seq 12); do
        run_detached "$ID-$i"
        mogu delete --force "$ID-$i"
    done
    run_detached "$ID-last"
    wait_until 5 "scrape | grep -q 'name=\"$ID-last\"'"
    kill -0 "$MON_PID"
    run bash -c "curl -sf '$MON_URL' | grep -c 'name=\"$ID-[0-9]*\"'"
    [ "$output" = 0 ]
    [ "$(metric_value mogu_monitor_container_read_errors_total)" = 0 ]
}

@test "containerd's containers, in every namespace, with their namespace, and gone when deleted" {
    if why=$(containerd_missing); then skip "$why"; fi
    start_containerd
    ctr --address "$CTD_SOCK" --namespace "$CTD_NS_B" images import "$CTD_IMAGE_TAR" >/dev/null
    ctr_ run -d --runtime io.containerd.mogu.v2 --memory-limit 33554432 "$CTD_IMAGE" "$ID-c1" /bin/sleep 300 </dev/null
    ctr --address "$CTD_SOCK" --namespace "$CTD_NS_B" run -d --runtime io.containerd.mogu.v2 "$CTD_IMAGE" "$ID-c2" /bin/sleep 300 </dev/null
    # The shim's roots, one per containerd namespace, found by a pattern as the default config's
    # /run/containerd/mogu/* does (this host's other containerd tests keep to their namespaces).
    start_monitor "/run/containerd/mogu/mogu-monitor-*"
    wait_until 10 "scrape | grep -q 'name=\"$ID-c1\"' && scrape | grep -q 'name=\"$ID-c2\"'"
    [ "$(metric_value container_spec_memory_limit_bytes "name=\"$ID-c1\"" "containerd_namespace=\"$CTD_NS\"")" = 33554432 ]
    # containerd puts the cgroup at /<namespace>/<id>: that is the id label.
    metric_value container_memory_usage_bytes "id=\"/$CTD_NS_B/$ID-c2\"" "containerd_namespace=\"$CTD_NS_B\""
    ctr_ task kill -s SIGKILL "$ID-c1"
    wait_until 10 "! ctr_ task ls -q | grep -qx '$ID-c1'" || true
    ctr_ task rm -f "$ID-c1" >/dev/null 2>&1 || true
    ctr_ container rm "$ID-c1"
    wait_until 5 "! scrape | grep -q 'name=\"$ID-c1\"'"
    scrape | grep -q "name=\"$ID-c2\""
    ctr --address "$CTD_SOCK" --namespace "$CTD_NS_B" task kill -s SIGKILL "$ID-c2"
    ctr --address "$CTD_SOCK" --namespace "$CTD_NS_B" task rm -f "$ID-c2" >/dev/null 2>&1 || true
    ctr --address "$CTD_SOCK" --namespace "$CTD_NS_B" container rm "$ID-c2" || true
}

# dd with O_DIRECT: the bytes go to the block device in the writer's cgroup (buffered writes are
# charged to the flusher on cgroup v1, and counted late on v2), so the amount is known.
@test "through containerd and the mogu shim, a container's direct I/O, CPU time, PSI and load match its cgroup's files" {
    if why=$(containerd_missing); then skip "$why"; fi
    start_containerd
    local cg=/$CTD_NS/$ID-io views=()
    # Its own load average needs the LXCFS views: a private LXCFS where one can run.
    if why=$(lxcfs_missing); then
        echo "# no load average series: $why" >&3
    else
        LXCFS_DIR=$TEST_TMP/lxcfs
        start_lxcfs "$LXCFS_DIR"
        printf 'Lxcfs = "required"\nLxcfsPath = "%s"\n' "$LXCFS_MNT" >"$LXCFS_DIR/shim.toml"
        views=(--runtime-config-path "$LXCFS_DIR/shim.toml")
    fi
    # Waits for /go, then writes 8 MiB and reads them back, bypassing the page cache, and idles.
    ctr_ run -d --runtime io.containerd.mogu.v2 "${views[@]}" "$CTD_IMAGE" "$ID-io" /bin/sh -c \
        'until [ -e /go ]; do sleep 0.1; done
         dd if=/dev/zero of=/io.bin bs=1M count=8 oflag=direct && dd if=/io.bin of=/dev/null bs=1M iflag=direct && touch /io.done
         exec sleep 300' </dev/null
    start_monitor "/run/containerd/mogu/$CTD_NS"
    wait_until 10 "scrape | grep -q '^container_cpu_usage_seconds_total{id=\"$cg\",name=\"$ID-io\",containerd_namespace=\"$CTD_NS\",'"
    # What the monitor showed before the I/O (no series yet for a device it never touched).
    scrape | grep "name=\"$ID-io\"" >"$TEST_TMP/before.txt"
    ctr_ task exec --exec-id go "$ID-io" touch /go </dev/null
    # The kernel's count: a device with the 8 MiB written and read back.
    local want=$((8 << 20)) line=
    wait_until 30 "cgroup_blkio $cg | awk -v w=$want '\$2 >= w && \$3 >= w' | grep -q ."
    line=$(cgroup_blkio "$cg" | awk -v w=$want '$2 >= w && $3 >= w')
    echo "cgroup: $line"
    local dev read_bytes write_bytes reads writes device
    read -r dev read_bytes write_bytes reads writes <<<"$line"
    device=$(block_device_label "$dev")
    # The container idles now: the monitor's figures reach the file's and stay there.
    io_matches() {
        local l=("name=\"$ID-io\"" "device=\"$device\"")
        read -r dev read_bytes write_bytes reads writes <<<"$(cgroup_blkio "$cg" 2>/dev/null | awk -v d="$dev" '$1 == d')"
        [ "$(metric_value container_fs_reads_bytes_total "${l[@]}")" = "$read_bytes" ] &&
            [ "$(metric_value container_fs_writes_bytes_total "${l[@]}")" = "$write_bytes" ] &&
            [ "$(metric_value container_fs_reads_total "${l[@]}")" = "$reads" ] &&
            [ "$(metric_value container_fs_writes_total "${l[@]}")" = "$writes" ]
    }
    wait_until 10 io_matches
    echo "$device: read $read_bytes bytes in $reads, wrote $write_bytes bytes in $writes"
    # Grown by at least what dd moved, in at least one I/O per MiB.
    local before_read before_write
    before_read=$(awk -v d="device=\"$device\"" '/^container_fs_reads_bytes_total\{/ && index($0, d) {print $NF}' "$TEST_TMP/before.txt")
    before_write=$(awk -v d="device=\"$device\"" '/^container_fs_writes_bytes_total\{/ && index($0, d) {print $NF}' "$TEST_TMP/before.txt")
    echo "before: read ${before_read:-no series}, written ${before_write:-no series}"
    (( read_bytes - ${before_read:-0} >= want ))
    (( write_bytes - ${before_write:-0} >= want ))
    (( reads >= 8 && writes >= 8 ))

    # CPU: the cgroup's accounting, ns against the series' seconds.
    local cpu_ns
    cpu_ns=$(cgroup_cpu_ns "$cg")
    wait_until 10 "cpu_ns=\$(cgroup_cpu_ns $cg); near \"\$(metric_value container_cpu_usage_seconds_total 'name=\"$ID-io\"')\" \"\$cpu_ns\" 1000 1e9"
    echo "CPU: cgroup $cpu_ns ns, metric $(metric_value container_cpu_usage_seconds_total "name=\"$ID-io\"") s"
    (( cpu_ns > 0 ))

    # PSI: each resource's series where the container's cgroup2 directory has its file (kernel
    # 4.20+ with PSI on, and a cgroup2 mount), against the file's totals (µs); none where not.
    local cg2 r file
    cg2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
    for r in cpu memory io; do
        file=${cg2:+$cg2$cg/$r.pressure}
        if [[ -z $file || ! -r $file ]]; then
            echo "# no ${file:-cgroup2 mount for} $r.pressure: no container_pressure_${r}_* series expected" >&3
            ! scrape | grep -q "^container_pressure_${r}_.*name=\"$ID-io\"" || false
            continue
        fi
        wait_until 10 "near \"\$(metric_value container_pressure_${r}_waiting_seconds_total 'name=\"$ID-io\"')\" \"\$(psi_total $file some)\" 1 1e6 &&
            near \"\$(metric_value container_pressure_${r}_stalled_seconds_total 'name=\"$ID-io\"')\" \"\$(psi_total $file full)\" 1 1e6"
        echo "$r.pressure: some $(psi_total "$file" some) µs, full $(psi_total "$file" full) µs"
    done
    # Direct I/O waits for the device: the io pressure counted some of it.
    [[ ! -r ${cg2:+$cg2$cg/io.pressure} ]] || (( $(psi_total "$cg2$cg/io.pressure" some) > 0 ))

    # Load: the container's own (LXCFS's view of /proc/loadavg, read every 5 s), only with the views.
    if [[ -n ${LXCFS_DIR:-} ]]; then
        wait_until 10 "metric_value mogu_container_load1 'name=\"$ID-io\"'"
        local load1 inside
        load1=$(metric_value mogu_container_load1 "name=\"$ID-io\"")
        inside=$(ctr_ task exec --exec-id load "$ID-io" cat /proc/loadavg </dev/null)
        echo "load1: metric $load1, the container's /proc/loadavg $inside"
        # Both LXCFS's figure for this cgroup, at most a sample (5 s) apart: an idle container's,
        # near 0 whatever the host's load is.
        near "$load1" "${inside%% *}" 0.5
        [ -n "$(metric_value mogu_container_load5 "name=\"$ID-io\"")" ]
        [ -n "$(metric_value mogu_container_load15 "name=\"$ID-io\"")" ]
    else
        ! scrape | grep -q "^mogu_container_load1{.*name=\"$ID-io\"" || false
    fi
}

# dockerd hands the runtime no name nor image: the monitor reads them from Docker's data root
# (containers/<id>/config.v2.json), and again when `docker rename` rewrites it.
@test "Docker's containers carry Docker's name and image, and a rename shows at the next collection" {
    if why=$(dockerd_missing); then skip "$why"; fi
    start_dockerd
    local cid
    cid=$(docker_ run -d --runtime mogu --name "$ID-web" "$DKR_IMAGE" sleep 300)
    cat >"$TEST_TMP/monitor.toml" <<EOF
listen = "127.0.0.1:0"
interval = "200ms"
[containers]
roots = ["$DKR_DIR/exec/runtime-runc/*"]
docker_roots = ["/nonexistent", "$DKR_DIR/data"]
EOF
    launch_monitor
    wait_until 10 "scrape | grep -q 'name=\"$ID-web\"'"
    local line
    line=$(scrape | grep -E '^container_memory_usage_bytes\{' | grep "name=\"$ID-web\"")
    [[ $line == *'containerd_namespace="moby"'* ]]
    [[ $line == *"image=\"$DKR_IMAGE\""* ]]
    [[ $line == *"id=\"/docker/$cid\""* ]]
    run ! grep -q "name=\"$cid\"" <<<"$(scrape)"
    docker_ rename "$ID-web" "$ID-api"
    wait_until 5 "scrape | grep -q 'name=\"$ID-api\"'"
    run ! grep -q "name=\"$ID-web\"" <<<"$(scrape)"
    docker_ rm -f "$cid" >/dev/null
    wait_until 10 "! scrape | grep -q 'name=\"$ID-api\"'"
}

@test "a container's network counters are its namespace's; a container in the host's namespace has none" {
    local host_if="mgm$$h" guest_if="mgm$$c"
    make_bundle
    set_args /bin/sleep 300
    run_detached "$ID"
    local pid
    pid=$(mogu state "$ID" | jq -r .pid)
    # A veth pair into the container's namespace, with a /30 between its ends, and some traffic.
    NET_IF=$host_if
    ip link add "$host_if" type veth peer name "$guest_if"
    ip link set "$guest_if" netns "$pid"
    # No IPv6 on either end: its router solicitations would keep the counters moving.
    sysctl -qw "net.ipv6.conf.$host_if.disable_ipv6=1"
    nsenter -t "$pid" -n sysctl -qw "net.ipv6.conf.$guest_if.disable_ipv6=1"
    nsenter -t "$pid" -n ip addr add 10.231.77.2/30 dev "$guest_if"
    nsenter -t "$pid" -n ip link set "$guest_if" up
    ip addr add 10.231.77.1/30 dev "$host_if"
    ip link set "$host_if" up
    # UDP datagrams to a closed port (no ping on this host): the container's side receives them and
    # answers with ICMP port unreachable (and ARP), so both directions count.
    local i
    for i in $(seq 5); do echo "datagram $i" >/dev/udp/10.231.77.2/9; sleep 0.05; done
    # A container that shares the host's network namespace.
    edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$ID-host\"" 'del(.linux.namespaces[] | select(.type == "network"))'
    run_detached "$ID-host"

    start_monitor "$ROOT"
    wait_until 10 "scrape | grep -q 'container_memory_usage_bytes{.*name=\"$ID-host\"'"
    sleep 0.5  # the traffic is over: counters hold still
    local line rx_bytes rx_packets tx_packets
    line=$(nsenter -t "$pid" -n cat /proc/net/dev | grep "^ *$guest_if:")
    read -r rx_bytes rx_packets _ _ _ _ _ _ _ tx_packets _ <<<"${line#*:}"
    echo "$guest_if in the container: rx $rx_bytes bytes $rx_packets packets, tx $tx_packets packets"
    (( rx_packets >= 5 && tx_packets >= 1 ))
    wait_until 3 "[ \"\$(metric_value container_network_receive_bytes_total 'name=\"$ID\"' 'interface=\"$guest_if\"')\" = $rx_bytes ]"
    [ "$(metric_value container_network_receive_packets_total "name=\"$ID\"" "interface=\"$guest_if\"")" = "$rx_packets" ]
    [ "$(metric_value container_network_transmit_packets_total "name=\"$ID\"" "interface=\"$guest_if\"")" = "$tx_packets" ]
    metric_value container_network_receive_packets_dropped_total "name=\"$ID\"" "interface=\"$guest_if\""
    # Loopback is left out, as cAdvisor leaves it out; the host-network container has no series.
    ! scrape | grep -q '^container_network_.*interface="lo"' || false
    ! scrape | grep -q "^container_network_.*name=\"$ID-host\"" || false
    [ "$(metric_value mogu_container_restarts_total "name=\"$ID\"")" = 0 ]
}

@test "a container whose task containerd starts again counts a restart" {
    if why=$(containerd_missing); then skip "$why"; fi
    start_containerd
    ctr_ run -d --runtime io.containerd.mogu.v2 "$CTD_IMAGE" "$ID-r" /bin/sleep 300 </dev/null
    start_monitor "/run/containerd/mogu/$CTD_NS"
    wait_until 10 "[ \"\$(metric_value mogu_container_restarts_total 'name=\"$ID-r\"')\" = 0 ]"
    # What a restart policy does: the task dies, is deleted, and a new one starts in the same container.
    ctr_ task kill -s SIGKILL "$ID-r"
    wait_until 10 "ctr_ task ls | grep -q '^$ID-r .*STOPPED'"
    ctr_ task rm "$ID-r" >/dev/null
    ctr_ task start -d "$ID-r" </dev/null
    wait_until 10 "[ \"\$(metric_value mogu_container_restarts_total 'name=\"$ID-r\"')\" = 1 ]"
    ctr_ task kill -s SIGKILL "$ID-r"
    wait_until 10 "ctr_ task ls | grep -q '^$ID-r .*STOPPED'" || true
    ctr_ task rm -f "$ID-r" >/dev/null 2>&1 || true
    ctr_ container rm "$ID-r"
}

@test "Prometheus scrapes mogu-monitor and PromQL returns the container's memory" {
    command -v prometheus >/dev/null || skip "prometheus missing (Debian's prometheus package; make deps)"
    run_memory_holder "$ID"
    start_monitor "$ROOT"
    local target=${MON_URL#http://}
    target=${target%/metrics}
    local port
    port=$(free_port)
    mkdir -p "$TEST_TMP/prom"
    cat >"$TEST_TMP/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: mogu-monitor
    static_configs:
      - targets: ["$target"]
EOF
    prometheus --config.file "$TEST_TMP/prom/prometheus.yml" --storage.tsdb.path "$TEST_TMP/prom/data" \
        --web.listen-address "127.0.0.1:$port" </dev/null >"$TEST_TMP/prom/log" 2>&1 3>&- 4>&- &
    PROM_PID=$!
    local api="http://127.0.0.1:$port/api/v1"
    wait_until 30 "curl -sf '$api/status/buildinfo'" || { tail -20 "$TEST_TMP/prom/log"; false; }
    local q="container_memory_usage_bytes{job=\"mogu-monitor\",name=\"$ID\"}" value=
    wait_until 30 "curl -sf '$api/query' --data-urlencode 'query=$q' | jq -e '.data.result | length == 1'" || {
        curl -s "$api/targets" | jq '.data.activeTargets[] | {health, lastError}'
        false
    }
    value=$(curl -sf "$api/query" --data-urlencode "query=$q" | jq -r '.data.result[0].value[1]')
    echo "PromQL: $value, cgroup: $(cgroup_memory_usage "$ID")"
    (( value >= 16 << 20 && value <= 64 << 20 ))
    # The scrape had no errors Prometheus noticed.
    [ "$(curl -sf "$api/targets" | jq -r '.data.activeTargets[0].health')" = up ]
}

@test "a bad config is refused with its file, line and key" {
    printf 'interval = "1s"\n[containers]\nroot = ["/run/mogu"]\n' >"$TEST_TMP/bad.toml"
    run "$MONITOR" --config "$TEST_TMP/bad.toml"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == "mogu-monitor: $TEST_TMP/bad.toml:3: containers.root: unknown key (known: containers.docker_roots, containers.roots)" ]]
    printf 'listen = "127.0.0.1:9338"\ninterval = "fast"\n' >"$TEST_TMP/bad.toml"
    run "$MONITOR" --config "$TEST_TMP/bad.toml"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"$TEST_TMP/bad.toml:2: interval: \"fast\" is not a duration"* ]]
    run "$MONITOR" --config "$TEST_TMP/missing.toml"
    [ "$status" -eq 1 ]
    [[ $output == *"config $TEST_TMP/missing.toml does not exist"* ]]
}

@test "a listen address in use is named in the error" {
    start_monitor "$ROOT"
    local taken=${MON_URL#http://}
    taken=${taken%/metrics}
    printf 'listen = "%s"\n' "$taken" >"$TEST_TMP/second.toml"
    run timeout 10 "$MONITOR" --config "$TEST_TMP/second.toml"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"listen on $taken: Address already in use"* ]]
}

@test "the listener answers as an HTTP server: HEAD without a body, 405 for other methods, 404, a query ignored, pages not cached" {
    start_monitor "$ROOT"
    local base=${MON_URL%/metrics}
    run curl -s -o /dev/null -w '%{http_code} %{content_type} %{size_download}' -I "$MON_URL"
    [ "$output" = "200 text/plain; version=0.0.4; charset=utf-8 0" ]
    run curl -s -w ' %{http_code}' -X POST -d x=1 "$MON_URL"
    [ "$output" = "only GET and HEAD
 405" ]
    run curl -s -o /dev/null -w '%{http_code}' "$base/nothing-here"
    [ "$output" = 404 ]
    run curl -s "$MON_URL?name[]=node_load1"
    [[ $output == *"# TYPE mogu_monitor_containers gauge"* ]]
    run curl -s -D - -o /dev/null "$base/api/status"
    [[ $output == *"Cache-Control: no-store"* ]]
    # A client that connects and sends nothing holds no scrape up.
    local idle
    exec {idle}<>"/dev/tcp/127.0.0.1/${base##*:}"
    run curl -s -m 5 -o /dev/null -w '%{http_code}' "$MON_URL"
    exec {idle}>&-
    [ "$output" = 200 ]
}
