#!/usr/bin/env bats
# mogu-monitor's host half: its figures against the /proc files they come from, a tmpfs the test
# mounts, a private LXCFS started and killed under a name of its own, a private containerd
# stopped under a name of its own, a thin pool that is not there, and the kernel log: a real OOM
# kill in a container, and lines of the kinds a test cannot cause safely written into /dev/kmsg.

load lib/runtime
load lib/monitor
load lib/lxcfs
CTD_NS=mogu-monitor-host
load lib/containerd


setup() {
    runtime_setup
    [[ -x $MONITOR ]] || { echo "mogu-monitor missing at $MONITOR (run make)" >&2; return 1; }
    command -v curl >/dev/null || { echo "curl missing (make deps)" >&2; return 1; }
    # Kept short: a marker that tells this test's injected kernel lines from anyone else's.
    MARK=mt$$x$BATS_TEST_NUMBER
}

teardown() {
    [[ -n ${MON_PID:-} ]] && { kill "$MON_PID" 2>/dev/null; wait "$MON_PID" 2>/dev/null || true; }
    [[ -n ${LXCFS_DIR:-} ]] && stop_lxcfs "$LXCFS_DIR"
    [[ -n ${CTD_DIR:-} ]] && stop_containerd
    if [[ -n ${FS_DIR:-} ]] && grep -q " $FS_DIR " /proc/self/mountinfo; then umount "$FS_DIR"; fi
    runtime_teardown
}

# start_monitor [TOML LINES of the [host] table...]: mogu-monitor on a port the kernel picks,
# collecting every 200 ms, no container roots; sets MON_PID and MON_URL once it answers.
start_monitor() {
    {
        echo 'listen = "127.0.0.1:0"'
        echo 'interval = "200ms"'
        echo '[containers]'
        echo "roots = [\"$ROOT\"]"
        echo '[host]'
        printf '%s\n' "$@"
    } >"$TEST_TMP/monitor.toml"
    launch_monitor
}

# A /proc/meminfo field in bytes.
meminfo_bytes() { echo $(($(awk -v f="$1:" '$1 == f {print $2}' /proc/meminfo) * 1024)); }

# One line into the kernel log, as root may write it: each write a record of facility "user".
# A new open per line: the kernel rate-limits writes per open file (printk_devkmsg=ratelimit).
kmsg() { echo "$1" >/dev/kmsg; }

@test "the host's figures match the /proc files they come from" {
    start_monitor
    local scrape_file=$TEST_TMP/scrape.txt avail_before avail_after
    avail_before=$(meminfo_bytes MemAvailable)
    scrape >"$scrape_file"
    avail_after=$(meminfo_bytes MemAvailable)
    value() { awk -v m="$1" '$1 == m {print $2}' "$scrape_file"; }
    [ "$(value node_processes_max_processes)" = "$(cat /proc/sys/kernel/pid_max)" ]
    [ "$(value node_processes_max_threads)" = "$(cat /proc/sys/kernel/threads-max)" ]
    [ "$(value node_filefd_maximum)" = "$(awk '{print $3}' /proc/sys/fs/file-nr)" ]
    [ "$(value mogu_host_meminfo_mem_total_bytes)" = "$(meminfo_bytes MemTotal)" ]
    [ "$(value mogu_host_meminfo_swap_total_bytes)" = "$(meminfo_bytes SwapTotal)" ]
    [ "$(value mogu_host_meminfo_huge_pages_total_pages)" = "$(awk '$1 == "HugePages_Total:" {print $2}' /proc/meminfo)" ]
    # Figures that move: within a margin of the file read just after.
    local avail files threads pids tcp
    avail=$(value mogu_host_meminfo_mem_available_bytes)
    # Guests and builds beside this suite move it by hundreds of MiB: between the reads around
    # the scrape, with a margin.
    local lo=$(( avail_before < avail_after ? avail_before : avail_after )) hi=$(( avail_before > avail_after ? avail_before : avail_after ))
    echo "MemAvailable $avail_before..$avail_after, scraped $avail"
    (( avail > lo - (64 << 20) && avail < hi + (64 << 20) ))
    files=$(value node_filefd_allocated)
    (( files > $(awk '{print $1}' /proc/sys/fs/file-nr) - 500 && files < $(awk '{print $1}' /proc/sys/fs/file-nr) + 500 ))
    threads=$(value node_processes_threads)
    (( threads > $(cut -d/ -f2 /proc/loadavg | cut -d' ' -f1) - 100 && threads < $(cut -d/ -f2 /proc/loadavg | cut -d' ' -f1) + 100 ))
    pids=$(value node_processes_pids)
    (( pids > $(ls /proc | grep -c '^[0-9]*$') - 50 && pids < $(ls /proc | grep -c '^[0-9]*$') + 50 ))
    # Load is a float with the file's two decimals, and within what it moved in a few seconds.
    [[ $(value node_load1) =~ ^[0-9]+(\.[0-9]+)?$ ]]
    awk -v a="$(value node_load1)" -v b="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { d = a - b; exit !(d < 2 && d > -2) }'
    # A listening socket of ours is counted in TCP's inuse.
    tcp=$(awk '/^TCP:/ {print $3}' /proc/net/sockstat)
    (( $(value node_sockstat_TCP_inuse) >= 1 && $(value node_sockstat_TCP_inuse) <= tcp + 20 ))
    [ -n "$(value node_sockstat_TCP_tw)" ]
    [ -n "$(value node_sockstat_TCP_orphan)" ]
    # PSI, where the kernel has it: the counter is the file's total in seconds.
    if [[ -r /proc/pressure/memory ]]; then
        local psi
        psi=$(awk '/^some/ {sub("total=", "", $5); print $5}' /proc/pressure/memory)
        awk -v a="$(value node_pressure_memory_waiting_seconds_total)" -v b="$psi" 'BEGIN { exit !(a * 1e6 <= b + 1e6 && a * 1e6 >= b - 1e6) }'
    fi
    # conntrack only where nf_conntrack is loaded: then against its max; else no series.
    if [[ -r /proc/sys/net/netfilter/nf_conntrack_max ]]; then
        [ "$(value node_nf_conntrack_entries_limit)" = "$(cat /proc/sys/net/netfilter/nf_conntrack_max)" ]
        [ -n "$(value node_nf_conntrack_entries)" ]
    else
        ! grep -q '^node_nf_conntrack' "$scrape_file" || false
    fi
    # The default paths: / at least, on its device.
    grep -q "^node_filesystem_avail_bytes{device=\"[^\"]*\",fstype=\"[^\"]*\",mountpoint=\"/\",path=\"/\"} [0-9]" "$scrape_file"
}

@test "free space and inodes of a tmpfs the test mounts, as they change" {
    FS_DIR=$TEST_TMP/fs
    mkdir -p "$FS_DIR"
    mount -t tmpfs -o size=8m,nr_inodes=1000 mogu-monitor-test "$FS_DIR"
    start_monitor "paths = [\"$FS_DIR\"]"
    local l="path=\"$FS_DIR\""
    [ "$(metric_value node_filesystem_size_bytes "$l")" = 8388608 ]
    [ "$(metric_value node_filesystem_files "$l")" = 1000 ]
    [ "$(metric_value node_filesystem_readonly "$l")" = 0 ]
    [ "$(metric_value node_filesystem_device_error "$l")" = 0 ]
    scrape | grep -q "^node_filesystem_size_bytes{device=\"mogu-monitor-test\",fstype=\"tmpfs\",mountpoint=\"$FS_DIR\",path=\"$FS_DIR\"} 8388608$"
    local free_before
    free_before=$(metric_value node_filesystem_files_free "$l")
    dd if=/dev/zero of="$FS_DIR/fill" bs=1M count=3 2>/dev/null
    touch "$FS_DIR"/f{1..9}
    # One refresh may fall between the dd and the touch: wait for the inodes too.
    wait_until 5 "[ \"\$(metric_value node_filesystem_avail_bytes '$l')\" = $((8388608 - 3 * 1048576)) ] &&
        [ \"\$(metric_value node_filesystem_files_free '$l')\" = $((free_before - 10)) ]"
    [ "$(metric_value node_filesystem_free_bytes "$l")" = $((8388608 - 3 * 1048576)) ]
    # Read-only, as the kernel says after a remount.
    mount -o remount,ro "$FS_DIR"
    wait_until 5 "[ \"\$(metric_value node_filesystem_readonly '$l')\" = 1 ]"
}

@test "a path that does not exist is a device error series and one warning, the rest goes on" {
    start_monitor "paths = [\"/\", \"$TEST_TMP/no-such-dir\"]"
    [ "$(metric_value node_filesystem_device_error "path=\"$TEST_TMP/no-such-dir\"")" = 1 ]
    [ "$(metric_value node_filesystem_device_error 'path="/"')" = 0 ]
    sleep 0.6  # three more collections
    [ "$(grep -c "no-such-dir" "$TEST_TMP/monitor.log")" = 1 ]
    kill -0 "$MON_PID"
}

@test "a daemon is up while its process runs, down when it dies, and a new process is a restart" {
    if why=$(lxcfs_missing); then skip "$why"; fi
    # LXCFS under a name of its own: the host (or another test) may run an LXCFS of its own, and
    # the monitor finds daemons by executable name.
    local name=lxcfs-mon$$
    mkdir -p "$TEST_TMP/bin"
    cp "$(command -v lxcfs)" "$TEST_TMP/bin/$name"
    LXCFS_DIR=$TEST_TMP/lxcfs
    mkdir -p "$LXCFS_DIR/mnt"
    start_private_lxcfs() {
        "$TEST_TMP/bin/$name" -f -p "$LXCFS_DIR/lxcfs.pid" "$LXCFS_DIR/mnt" </dev/null >>"$LXCFS_DIR/lxcfs.log" 2>&1 3>&- &
        echo $! >"$LXCFS_DIR/lxcfs.job"
        disown $! 2>/dev/null || true
        wait_until 5 "[[ -r $LXCFS_DIR/mnt/proc/meminfo ]]"
    }
    start_monitor "daemons = [\"$name\", \"mogu-no-such-daemon\"]"
    [ "$(metric_value mogu_daemon_up "daemon=\"$name\"")" = 0 ]
    [ "$(metric_value mogu_daemon_up 'daemon="mogu-no-such-daemon"')" = 0 ]
    start_private_lxcfs
    wait_until 5 "[ \"\$(metric_value mogu_daemon_up 'daemon=\"$name\"')\" = 1 ]"
    # Coming up the first time is not a restart.
    [ "$(metric_value mogu_daemon_restarts_total "daemon=\"$name\"")" = 0 ]
    local started
    started=$(metric_value mogu_daemon_start_time_seconds "daemon=\"$name\"")
    awk -v s="$started" -v now="$(date +%s)" 'BEGIN { exit !(s > now - 30 && s <= now + 1) }'
    # Killed as in a crash: down.
    stop_lxcfs "$LXCFS_DIR" -KILL
    wait_until 5 "[ \"\$(metric_value mogu_daemon_up 'daemon=\"$name\"')\" = 0 ]"
    ! scrape | grep -q "^mogu_daemon_start_time_seconds{daemon=\"$name\"}" || false
    # Started again (what systemd's Restart= does): up, one restart.
    start_private_lxcfs
    wait_until 5 "[ \"\$(metric_value mogu_daemon_up 'daemon=\"$name\"')\" = 1 ]"
    [ "$(metric_value mogu_daemon_restarts_total "daemon=\"$name\"")" = 1 ]
    [ "$(metric_value mogu_daemon_restarts_total 'daemon="mogu-no-such-daemon"')" = 0 ]
}

@test "a containerd that stops is down in the series, and in the status through a rule on them" {
    if why=$(containerd_missing); then skip "$why"; fi
    # The monitor finds a daemon by its executable's name (comm, and the basename of
    # /proc/PID/exe), never by asking it: the host and other tests run containerds of their own,
    # so this one is a copy under a name of its own (longer than comm's 15 characters, as
    # "mogu-snapshotter" is).
    local name=containerd-mon$$
    mkdir -p "$TEST_TMP/bin"
    cp "$(command -v containerd)" "$TEST_TMP/bin/$name"
    CTD_BINARY=$TEST_TMP/bin/$name
    start_containerd
    local pid=$CTD_PID
    ctr --address "$CTD_SOCK" version >/dev/null
    start_monitor "daemons = [\"$name\", \"containerd-mon-none\"]" \
        "[[rules]]" "name = \"ContainerdDown\"" "metric = \"mogu_daemon_up\"" "labels = { daemon = \"$name\" }" \
        "op = \"<\"" "threshold = 1" "severity = \"critical\"" "summary = \"containerd is not running\"" \
        "[alerts]" "oom = false"  # this test counts the firing alerts; an OOM kill elsewhere would add one
    local d="daemon=\"$name\""
    wait_until 5 "[ \"\$(metric_value mogu_daemon_up '$d')\" = 1 ]"
    [ "$(metric_value mogu_daemon_up 'daemon="containerd-mon-none"')" = 0 ]
    # Its start time is that process's: /proc/PID/stat's start ticks after boot.
    local expected
    expected=$(awk -v hz="$(getconf CLK_TCK)" -v btime="$(awk '$1 == "btime" {print $2}' /proc/stat)" '{printf "%.2f\n", btime + $22 / hz}' "/proc/$pid/stat")
    local started
    started=$(metric_value mogu_daemon_start_time_seconds "$d")
    echo "start time: metric $started, /proc/$pid/stat $expected"
    awk -v a="$started" -v b="$expected" 'BEGIN { d = a - b; exit !(d < 0.02 && d > -0.02) }'
    local base=${MON_URL%/metrics}
    [ "$(curl -sf --max-time 2 "$base/api/status" | jq '.alerting.firing | length')" = 0 ]
    # Stopped (SIGTERM, as systemd stops it): gone, and no longer answering.
    stop_containerd
    ! kill -0 "$pid" 2>/dev/null || false
    wait_until 5 "[ \"\$(metric_value mogu_daemon_up '$d')\" = 0 ]"
    ! scrape | grep -q "^mogu_daemon_start_time_seconds{$d}" || false
    [ "$(metric_value mogu_daemon_restarts_total "$d")" = 0 ]
    # The rule fires: the status JSON, the page and `mogu-monitor status` say so.
    wait_until 5 "curl -sf --max-time 2 '$base/api/status' | jq -e '.alerting.firing | length == 1'"
    local status
    status=$(curl -sf --max-time 2 "$base/api/status")
    [ "$(jq -r '.alerting.firing[0].name' <<<"$status")" = ContainerdDown ]
    [ "$(jq -r '.alerting.firing[0].severity' <<<"$status")" = critical ]
    [ "$(jq -r '.alerting.firing[0].labels.daemon' <<<"$status")" = "$name" ]
    scrape | grep -q "^mogu_alerts_firing{alertname=\"ContainerdDown\",severity=\"critical\",daemon=\"$name\""
    curl -sf --max-time 2 "$base/" | grep -q ContainerdDown
    run "$MONITOR" status --address "${base#http://}"
    echo "$output"
    [[ $output == *"alerts: 1 firing"* && $output == *ContainerdDown* ]]
}

@test "a thin pool that cannot be read is reported down, once in the log, and the monitor goes on" {
    start_monitor 'thin_pool = "mogu-monitor-test-no-pool"'
    [ "$(metric_value mogu_host_thin_pool_up 'pool="mogu-monitor-test-no-pool"')" = 0 ]
    ! scrape | grep -q '^mogu_host_thin_pool_data_used_bytes' || false
    sleep 0.6
    [ "$(grep -c 'thin pool mogu-monitor-test-no-pool' "$TEST_TMP/monitor.log")" = 1 ]
    [ -n "$(metric_value node_load1)" ]
}

@test "a real OOM kill in a container is counted, with the killed process and its memory cgroup" {
    start_monitor
    local before
    before=$(metric_value mogu_kernel_events_total 'kind="oom_kill"')
    # 16 MiB and no swap; a shell doubling a string until the OOM killer ends it.
    make_bundle '.linux.resources.memory.limit = 16777216' '.linux.resources.memory.swap = 16777216'
    set_args /bin/sh -c 'x=0123456789abcdef; while :; do x=$x$x; done'
    run_detached "$ID"
    wait_until 20 "(( \$(metric_value mogu_kernel_events_total 'kind=\"oom_kill\"') > $before ))"
    # The event's log line names the container's cgroup (the alerting step maps it to the container).
    wait_until 5 "grep -E 'kernel: oom_kill: pid [0-9]+ \(sh\), memory cgroup $CGROUP_PARENT/$ID \[' '$TEST_TMP/monitor.log'"
    grep 'kernel: oom_kill' "$TEST_TMP/monitor.log" | grep "$CGROUP_PARENT/$ID" | grep -vq 'not the kernel'
}

@test "kernel lines of every other kind, written into /dev/kmsg, are counted by kind" {
    start_monitor
    local kinds=(hung_task soft_lockup hard_lockup io_error fs_error segfault thin_out_of_data_space thin_out_of_metadata_space)
    local k
    declare -A before
    for k in "${kinds[@]}"; do before[$k]=$(metric_value mogu_kernel_events_total "kind=\"$k\""); done
    # Real kernel lines' shapes, with the test's marker where a name goes. Eight writes, each on a
    # new open: under the kernel's limit of ten per open file and five seconds.
    kmsg "INFO: task $MARK:4242 blocked for more than 120 seconds."
    kmsg "watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [$MARK:4243]"
    kmsg "Watchdog detected hard LOCKUP on cpu 0 ($MARK)"
    kmsg "I/O error, dev $MARK, sector 2048 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 2"
    kmsg "EXT4-fs error (device $MARK): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0"
    kmsg "$MARK[4244]: segfault at 0 ip 000055d5c8c1b129 sp 00007ffd5a0f6f00 error 6 in $MARK[55d5c8c1b000+1000]"
    kmsg "device-mapper: thin: $MARK: switching pool to out-of-data-space (queue IO) mode"
    kmsg "device-mapper: thin: $MARK: no free metadata space available."
    for k in "${kinds[@]}"; do
        wait_until 5 "(( \$(metric_value mogu_kernel_events_total 'kind=\"$k\"') >= ${before[$k]} + 1 ))"
    done
    # Each one was seen as what it is, and said to come from a process, not the kernel: the kernel
    # adds no text to a written line, but gives it the facility "user" whatever "<N>" it starts with.
    [ "$(grep "kernel: " "$TEST_TMP/monitor.log" | grep -c "$MARK")" = 8 ]
    grep -q "kernel: hung_task: pid 4242 ($MARK), written by a process, not the kernel" "$TEST_TMP/monitor.log"
    grep -q "kernel: soft_lockup: pid 4243 ($MARK), written by a process" "$TEST_TMP/monitor.log"
    grep -q "kernel: io_error: device $MARK, written by a process" "$TEST_TMP/monitor.log"
    grep -q "kernel: fs_error: ls, device $MARK, written by a process" "$TEST_TMP/monitor.log"
    grep -q "kernel: segfault: pid 4244 ($MARK), written by a process" "$TEST_TMP/monitor.log"
    grep -q "kernel: thin_out_of_data_space: device $MARK, written by a process" "$TEST_TMP/monitor.log"
    grep -q "kernel: thin_out_of_metadata_space: device $MARK, written by a process" "$TEST_TMP/monitor.log"
    # The records were read, not lost.
    (( $(metric_value mogu_kernel_log_records_total) >= 8 ))
    [ "$(metric_value mogu_kernel_log_up)" = 1 ]
}

@test "the kernel log is read from its end: lines logged before the start are not events" {
    kmsg "INFO: task $MARK:4245 blocked for more than 120 seconds."
    start_monitor
    sleep 0.5
    ! grep -q "$MARK" "$TEST_TMP/monitor.log" || false
    kmsg "INFO: task $MARK:4246 blocked for more than 120 seconds."
    wait_until 5 "grep -q 'pid 4246 ($MARK)' '$TEST_TMP/monitor.log'"
    ! grep -q "pid 4245" "$TEST_TMP/monitor.log" || false
}

@test "an unreadable kernel log is one warning; the monitor serves everything else" {
    start_monitor "kernel_log = \"$TEST_TMP/no-kmsg\""
    [ "$(metric_value mogu_kernel_log_up)" = 0 ]
    [ "$(metric_value mogu_kernel_events_total 'kind="oom_kill"')" = 0 ]
    [ -n "$(metric_value mogu_host_meminfo_mem_total_bytes)" ]
    sleep 0.6
    [ "$(grep -c "kernel log $TEST_TMP/no-kmsg: cannot read it" "$TEST_TMP/monitor.log")" = 1 ]
    kill -0 "$MON_PID"
}

@test "records the kernel overwrote before they were read are counted as lost, with one warning" {
    # Flooding the ring overwrites the shared host's kernel log (others' tests and dmesg read it).
    [[ ${MOGU_TEST_FLOOD_KMSG:-0} == 1 ]] || skip "overwrites the host's whole kernel log; set MOGU_TEST_FLOOD_KMSG=1 to run it"
    start_monitor
    kill -STOP "$MON_PID"
    # More than the ring holds (log_buf_len: dmesg's size, at most a few MiB here), a new open per line.
    python3 -c '
import os
for i in range(40000):
    fd = os.open("/dev/kmsg", os.O_WRONLY); os.write(fd, b"mogu-monitor flood %06d ................................................................................\n" % i); os.close(fd)
'
    kill -CONT "$MON_PID"
    wait_until 10 "(( \$(metric_value mogu_kernel_log_lost_records_total) > 0 ))"
    [ "$(grep -c 'overwritten before they were read' "$TEST_TMP/monitor.log")" = 1 ]
    [ "$(metric_value mogu_kernel_log_up)" = 1 ]
}

@test "a scrape with the host and kernel series passes promtool check metrics" {
    command -v promtool >/dev/null || skip "promtool missing (Debian's prometheus package; make deps)"
    start_monitor 'thin_pool = "mogu-monitor-test-no-pool"' "daemons = [\"containerd\"]"
    scrape >"$TEST_TMP/scrape.txt"
    # Not an empty page: the host, daemon and kernel families are there.
    grep -q '^mogu_host_meminfo_mem_available_bytes ' "$TEST_TMP/scrape.txt"
    grep -q '^node_filesystem_avail_bytes{' "$TEST_TMP/scrape.txt"
    grep -q '^mogu_daemon_up{daemon="containerd"}' "$TEST_TMP/scrape.txt"
    grep -q '^mogu_kernel_events_total{kind="oom_kill"}' "$TEST_TMP/scrape.txt"
    grep -q '^mogu_host_thin_pool_up{' "$TEST_TMP/scrape.txt"
    run promtool check metrics <"$TEST_TMP/scrape.txt"
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}
