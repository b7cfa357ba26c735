#!/usr/bin/env bats
# mogu checkpoint and restore with the criu `make deps` builds (/opt/mogu/criu), on real
# containers. Skipped, with the reason, when that criu is not there.

load lib/runtime
load lib/tcp_counter
bats_require_minimum_version 1.5.0

CRIU=${MOGU_CRIU:-/opt/mogu/criu/sbin/criu}

setup() {
    runtime_setup
    [[ -x $CRIU ]] && "$CRIU" --version >/dev/null 2>&1 || skip "criu 4.1 is not built at $CRIU (run make deps)"
    IMAGES=$TEST_TMP/images
}
teardown() {
    [[ -n ${PAGE_SERVER:-} ]] && kill "$PAGE_SERVER" 2>/dev/null && wait "$PAGE_SERVER" 2>/dev/null
    # A lazy dump still waiting for its pages to be taken holds the container's lock, and its criu
    # the container's processes: both go before the container.
    if [[ -n ${DUMP:-} ]]; then
        kill -KILL "$DUMP" 2>/dev/null
        pkill -KILL -f -- "criu: dump .*-D $IMAGES" 2>/dev/null
        wait "$DUMP" 2>/dev/null
    fi
    runtime_teardown
    tcp_counter_teardown
}


# A counter in the container's /tmp (a tmpfs criu carries over), one step per 50 ms.
counter_bundle() {
    make_bundle "$@"
    set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done'
}

count_of() { mogu exec "$1" cat /tmp/count; }

# wait_for_count ID N: until the container's counter is past N.
wait_for_count() { wait_for "test \"\$(count_of $1)\" -gt $2"; }

# The container's init pid as the host sees it.
init_pid() { mogu state "$1" | jq -r .pid; }

@test "checkpoint stops and deletes the container; restore brings the counter back where it was, counting" {
    counter_bundle
    run_detached "$ID"
    wait_for_count "$ID" 5
    local pid
    pid=$(init_pid "$ID")
    mogu checkpoint --image-path "$IMAGES" "$ID"
    [ -f "$IMAGES/inventory.img" ]
    [ -f "$IMAGES/descriptors.json" ]
    # As runc: criu killed the tree and the container is gone (state, cgroup, process).
    [ -z "$(mogu list -q)" ]
    # (reaped by whoever inherited it once mogu run -d exited)
    wait_for "! kill -0 $pid"
    assert_nothing_left

    mogu restore -d --image-path "$IMAGES" "$ID" </dev/null >"$TEST_TMP/restore.out" 2>&1
    [ "$(status_of "$ID")" = running ]
    # The count continues from the dumped value, not from 0.
    local first
    first=$(count_of "$ID")
    [ "$first" -ge 5 ]
    wait_for_count "$ID" "$((first + 3))"
    # An ordinary container afterwards: in its cgroup, exec, pause, kill, delete.
    local d
    for d in $(cgroup_dirs_of "$ID"); do
        [[ $d == */memory/* ]] && grep -qx "$(init_pid "$ID")" "$d/cgroup.procs"
    done
    mogu pause "$ID"
    [ "$(status_of "$ID")" = paused ]
    mogu resume "$ID"
    mogu kill "$ID" KILL
    wait_for 'test "$(status_of "$ID")" = stopped'
    mogu delete "$ID"
    assert_nothing_left
}

@test "restore without --detach waits for the process, returns its exit code and deletes the container" {
    make_bundle
    set_args sh -c 'while [ ! -e /tmp/stop ]; do sleep 0.05; done; exit 5'
    run_detached "$ID"
    wait_for 'test "$(status_of "$ID")" = running'
    mogu checkpoint --image-path "$IMAGES" "$ID"
    "$MOGU" --root "$ROOT" restore --image-path "$IMAGES" "$ID" </dev/null >"$TEST_TMP/restore.out" 2>&1 &
    local runner=$!
    wait_for 'test "$(status_of "$ID")" = running'
    mogu exec "$ID" touch /tmp/stop
    local rc=0
    wait "$runner" || rc=$?
    [ "$rc" -eq 5 ]
    assert_nothing_left
}

RECVTTY() { python3 "$MOGU_SRC/tests/integration/helpers/recvtty.py" "$@"; }

@test "a terminal container is restored with a new pty sent to --console-socket, its output going on" {
    make_bundle '.process.terminal = true'
    set_args sh -c 'i=0; while :; do i=$((i+1)); echo n$i; sleep 0.05; done'
    RECVTTY "$TEST_TMP/c1.sock" >"$TEST_TMP/tty1.out" 2>"$TEST_TMP/tty1.err" &
    wait_for 'grep -q listening "$TEST_TMP/tty1.err"'
    mogu run -d --console-socket "$TEST_TMP/c1.sock" "$ID" </dev/null
    wait_for 'grep -q n5 "$TEST_TMP/tty1.out"'
    mogu checkpoint --image-path "$IMAGES" "$ID"
    local last
    last=$(tr -d '\r' <"$TEST_TMP/tty1.out" | grep -o 'n[0-9]*' | tail -1)
    RECVTTY "$TEST_TMP/c2.sock" >"$TEST_TMP/tty2.out" 2>"$TEST_TMP/tty2.err" &
    wait_for 'grep -q listening "$TEST_TMP/tty2.err"'
    mogu restore -d --console-socket "$TEST_TMP/c2.sock" --image-path "$IMAGES" "$ID" </dev/null
    wait_for 'test "$(grep -c n "$TEST_TMP/tty2.out")" -ge 3'
    # The count goes on from where the dump left it.
    local first
    first=$(tr -d '\r' <"$TEST_TMP/tty2.out" | grep -o 'n[0-9]*' | head -1)
    [ "${first#n}" -gt "${last#n}" ]
    mogu delete -f "$ID"
    assert_nothing_left
}

@test "a shell job (the caller's terminal as stdio) needs --shell-job to be checkpointed" {
    make_bundle
    set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done'
    # script(1) gives mogu, and so the container, a pty of the host's devpts as stdio.
    script -qfc "$MOGU --root $ROOT run -d $ID" /dev/null </dev/null >/dev/null
    wait_for_count "$ID" 3
    run mogu checkpoint --image-path "$IMAGES" "$ID"
    [ "$status" -ne 0 ]
    [[ $output == *"criu dump failed"*"/dev/pts/"* ]]
    [[ $output == *"criu's log: $IMAGES/dump.log"* ]]
    # The failed dump left the container running as it was.
    [ "$(status_of "$ID")" = running ]
    wait_for_count "$ID" 10
    mogu checkpoint --shell-job --image-path "$IMAGES" "$ID"
    [ -f "$IMAGES/inventory.img" ]
    assert_nothing_left
    # criu 4.1.1 cannot restore a terminal from outside the container's mount namespace (a BUG()
    # in mntns_get_root_by_mnt_id, see docs/migration.md): the restore fails and leaves nothing.
    run script -qefc "$MOGU --root $ROOT restore -d --shell-job --image-path $IMAGES $ID" /dev/null
    if [ "$status" -eq 0 ] && [ "$(status_of "$ID")" = running ]; then
        wait_for_count "$ID" 10
    else
        [[ $output == *"criu restore failed"* ]]
        assert_nothing_left
    fi
}

@test "a process with an open file on a bind mount and a file lock is restored with both (--file-locks)" {
    local helper=$MOGU_BIN/../tests/tools/mogu-lock-writer
    [[ -x $helper ]] || helper=$MOGU_SRC/build/tests/tools/mogu-lock-writer
    [[ -x $helper ]] || { echo "mogu-lock-writer not built (make fixtures)" >&2; return 1; }
    mkdir -p "$TEST_TMP/data"
    COPY_ROOTFS=1 make_bundle ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$TEST_TMP/data\", \"options\": [\"rbind\", \"rw\"]}]"
    cp "$helper" "$BUNDLE/rootfs/bin/mogu-lock-writer"
    set_args mogu-lock-writer /data/lock /data/log
    run_detached "$ID"
    wait_for 'test -s "$TEST_TMP/data/log"'
    # The lock is held: the host cannot take it.
    run ! flock -n "$TEST_TMP/data/lock" true
    run mogu checkpoint --image-path "$IMAGES" "$ID"
    [ "$status" -ne 0 ]
    [[ $output == *"criu dump failed"*"--file-locks"* ]]
    [ "$(status_of "$ID")" = running ]
    mogu checkpoint --file-locks --image-path "$IMAGES" "$ID"
    # Dumped and gone: the lock is free now.
    flock -n "$TEST_TMP/data/lock" true
    mogu restore -d --file-locks --image-path "$IMAGES" "$ID" </dev/null
    # The same fd writes on into the same host file, and the lock is held again.
    local size
    size=$(stat -c %s "$TEST_TMP/data/log")
    wait_for "test \$(stat -c %s \"$TEST_TMP/data/log\") -gt $size"
    run ! flock -n "$TEST_TMP/data/lock" true
    [[ $(readlink "/proc/$(init_pid "$ID")/fd/4") == */data/log ]]
}

@test "checkpoint --leave-running keeps the container counting; its images restore under another id" {
    counter_bundle
    run_detached "$ID"
    wait_for_count "$ID" 3
    mogu checkpoint --leave-running --image-path "$IMAGES" "$ID"
    [ "$(status_of "$ID")" = running ]
    local now
    now=$(count_of "$ID")
    wait_for_count "$ID" "$((now + 3))"

    # A second container from the same images while the first runs on: its own cgroup and state.
    local other=${ID}-copy
    edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$other\""
    mogu restore -d --image-path "$IMAGES" "$other" </dev/null
    [ "$(status_of "$other")" = running ]
    [ "$(status_of "$ID")" = running ]
    [ "$(init_pid "$other")" != "$(init_pid "$ID")" ]
    local d
    for d in $(cgroup_dirs_of "$other"); do
        [[ $d == */memory/* ]] && grep -qx "$(init_pid "$other")" "$d/cgroup.procs"
    done
    now=$(count_of "$other")
    wait_for_count "$other" "$((now + 3))"
    mogu delete -f "$other"
    assert_nothing_left "$other"
}

# A process between vfork and exec cannot be stopped by criu (its parent waits for the child,
# which criu stops too): checkpoint freezes the container when no process is there, thawing it
# for moments meanwhile (runtime/criu/freeze_for_dump.h). The helper's child execs only once
# the host creates /go in its rootfs.
@test "checkpoint thaws a container with a child between vfork and exec until it execs; one that never does is named, the container running on" {
    local helper=$MOGU_BIN/../tests/tools/mogu-vfork-waiter
    [[ -x $helper ]] || helper=$MOGU_SRC/build/tests/tools/mogu-vfork-waiter
    [[ -x $helper ]] || { echo "mogu-vfork-waiter not built (make fixtures)" >&2; return 1; }
    COPY_ROOTFS=1 make_bundle
    cp "$helper" "$BUNDLE/rootfs/bin/mogu-vfork-waiter"
    set_args mogu-vfork-waiter /go
    run_detached "$ID"
    local pid child
    pid=$(init_pid "$ID")
    wait_for "pgrep -P $pid"
    child=$(pgrep -P "$pid")
    # The parent sleeps inside vfork (state D) while its child waits for /go.
    [ "$(awk '{print $3}' "/proc/$pid/stat")" = D ]

    run mogu checkpoint --leave-running --image-path "$IMAGES" "$ID"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"container $ID: process $pid stayed inside vfork()"*"its child $child never exec'd"* ]]
    [[ $output != *"criu"*"failed"* ]]
    [ "$(status_of "$ID")" = running ]

    # Again, and /go appears while checkpoint waits: the child execs in a thawed moment and
    # the dump goes on.
    mogu --debug checkpoint --leave-running --image-path "$IMAGES" "$ID" >"$TEST_TMP/checkpoint.out" 2>&1 &
    local checkpointing=$!
    wait_for "grep -q 'is inside vfork()' '$TEST_TMP/checkpoint.out'"
    touch "$BUNDLE/rootfs/go"
    wait "$checkpointing" || { cat "$TEST_TMP/checkpoint.out"; false; }
    [ -f "$IMAGES/inventory.img" ]
    [ "$(status_of "$ID")" = running ]
    wait_for "! kill -0 $child"
    [ "$(awk '{print $3}' "/proc/$pid/stat")" = S ]
}

@test "a container with a memory limit and a seccomp filter keeps both across checkpoint and restore" {
    counter_bundle '.linux.resources.memory = {"limit": 67108864}' \
        '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    run_detached "$ID"
    wait_for_count "$ID" 3
    grep -q '^Seccomp:[[:space:]]*2' "/proc/$(init_pid "$ID")/status"
    mogu checkpoint --image-path "$IMAGES" "$ID"
    mogu restore -d --image-path "$IMAGES" "$ID" </dev/null
    local pid
    pid=$(init_pid "$ID")
    # criu restores the init's filter; exec'd processes get the spec's from mogu.
    grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status"
    run mogu exec "$ID" mkdir /tmp/x
    [ "$status" -ne 0 ]
    local d found=0
    for d in $(cgroup_dirs_of "$ID"); do
        if [[ $d == */memory/* ]]; then
            [ "$(cat "$d/memory.limit_in_bytes")" -eq 67108864 ]
            grep -qx "$pid" "$d/cgroup.procs"
            found=1
        fi
    done
    [ "$found" -eq 1 ]
    wait_for_count "$ID" 10
}

@test "pre-dump then dump with --parent-path writes fewer pages the second time" {
    "$CRIU" check --feature mem_dirty_track >/dev/null 2>&1 ||
        skip "this kernel has no dirty memory tracking (CONFIG_MEM_SOFT_DIRTY): criu cannot pre-dump here"
    counter_bundle
    run_detached "$ID"
    wait_for_count "$ID" 3
    mogu checkpoint --pre-dump --image-path "$TEST_TMP/pre" "$ID"
    [ "$(status_of "$ID")" = running ]
    mogu checkpoint --parent-path ../pre --image-path "$TEST_TMP/final" "$ID"
    local pre final
    pre=$(cat "$TEST_TMP"/pre/pages-*.img | wc -c)
    final=$(cat "$TEST_TMP"/final/pages-*.img | wc -c)
    [ "$final" -lt "$pre" ]
    mogu restore -d --image-path "$TEST_TMP/final" "$ID" </dev/null >/dev/null 2>&1
    wait_for_count "$ID" 5
}

@test "pre-dump on a kernel without dirty memory tracking fails clearly and leaves the container running" {
    ! "$CRIU" check --feature mem_dirty_track >/dev/null 2>&1 || skip "this kernel tracks dirty memory: pre-dump works here"
    counter_bundle
    run_detached "$ID"
    wait_for_count "$ID" 3
    run mogu checkpoint --pre-dump --image-path "$TEST_TMP/pre" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"--pre-dump needs the kernel's dirty memory tracking"*"CONFIG_MEM_SOFT_DIRTY"* ]]
    run mogu checkpoint --parent-path ../pre --image-path "$TEST_TMP/final" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"--parent-path needs"* ]]
    [ "$(status_of "$ID")" = running ]
}

@test "a criu that is missing or is not criu is refused, naming make deps and --criu; the container is untouched" {
    counter_bundle
    run_detached "$ID"
    wait_for_count "$ID" 3
    run mogu --criu /nonexistent/criu checkpoint --image-path "$IMAGES" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"/nonexistent/criu"*"make deps"*"--criu"* ]]
    run "$MOGU" --root "$ROOT" --criu /bin/true checkpoint --image-path "$IMAGES" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"/bin/true does not work as criu"*"make deps"* ]]
    [ "$(status_of "$ID")" = running ]
    [ ! -e "$IMAGES/inventory.img" ]
    # Restore checks criu before it creates anything.
    mogu checkpoint --leave-running --image-path "$IMAGES" "$ID"
    run mogu --criu /nonexistent/criu restore -d --image-path "$IMAGES" other
    [ "$status" -eq 1 ]
    [[ $output == *"make deps"* ]]
    assert_nothing_left other
}

@test "restore refuses a corrupt or foreign image directory before anything is made" {
    make_bundle
    mkdir -p "$TEST_TMP/empty" "$TEST_TMP/garbage" "$TEST_TMP/nodesc"
    head -c 4096 /dev/urandom >"$TEST_TMP/garbage/inventory.img"
    echo '[]' >"$TEST_TMP/garbage/descriptors.json"
    printf '\x16\x31\x31\x58' >"$TEST_TMP/nodesc/inventory.img"
    run mogu restore -d --image-path "$TEST_TMP/empty" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"$TEST_TMP/empty is not a criu checkpoint"* ]]
    run mogu restore -d --image-path "$TEST_TMP/garbage" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"does not start with criu's inventory magic"* ]]
    run mogu restore -d --image-path "$TEST_TMP/nodesc" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"has no descriptors.json"* ]]
    run mogu restore -d --image-path "$TEST_TMP/missing" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"$TEST_TMP/missing"*"No such file"* ]]
    [ ! -e "$ROOT/$ID" ]
    assert_nothing_left
    # No criu was started for any of them: none left a log.
    [ ! -e "$TEST_TMP/garbage/restore.log" ]
}

@test "restore of an id that exists fails and leaves that container as it was" {
    counter_bundle
    run_detached "$ID"
    wait_for_count "$ID" 3
    mogu checkpoint --leave-running --image-path "$IMAGES" "$ID"
    local pid
    pid=$(init_pid "$ID")
    run mogu restore -d --image-path "$IMAGES" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"container $ID already exists"* ]]
    [ "$(init_pid "$ID")" = "$pid" ]
    [ "$(status_of "$ID")" = running ]
}

@test "a restore criu fails leaves no process, cgroup, mount or state behind" {
    mkdir -p "$TEST_TMP/data"
    make_bundle ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$TEST_TMP/data\", \"options\": [\"rbind\", \"rw\"]}]"
    set_args sh -c "while :; do sleep 0.05; done # marker-$ID"
    run_detached "$ID"
    wait_for 'test "$(status_of "$ID")" = running'
    mogu checkpoint --image-path "$IMAGES" "$ID"
    # The bind source is gone: criu cannot mount it back and gives up half-way.
    rm -rf "$TEST_TMP/data"
    run mogu restore -d --image-path "$IMAGES" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"criu restore failed"*"criu's log: $IMAGES/restore.log"* ]]
    assert_nothing_left
    run ! grep -q "$TEST_TMP" /proc/self/mountinfo
    [ -z "$(mogu list -q)" ]
    # Nothing of the restored tree survived (the checkpoint had killed the original).
    run ! pgrep -f "marker-$ID"
}

@test "a bad or absent page server leaves the container running" {
    counter_bundle
    run_detached "$ID"
    wait_for_count "$ID" 3
    run mogu checkpoint --page-server 127.0.0.1 --image-path "$IMAGES" "$ID"
    [ "$status" -ne 0 ]
    [[ $output == *'--page-server: "127.0.0.1" is not ADDRESS:PORT'* ]]
    # Nothing listens there: criu cannot send the pages, and the container runs on.
    run mogu checkpoint --page-server "127.0.0.1:$((40000 + ($$ % 20000)))" --image-path "$IMAGES" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"criu dump failed"* ]]
    run mogu checkpoint --manage-cgroups-mode bogus --image-path "$IMAGES" "$ID"
    [ "$status" -eq 1 ]
    [[ $output == *"--manage-cgroups-mode"* ]]
    [ "$(status_of "$ID")" = running ]
}

@test "checkpoint --page-server: the pages go to criu's page server, the rest to the image path; both together restore" {
    counter_bundle
    run_detached "$ID"
    wait_for_count "$ID" 5
    local pages=$TEST_TMP/pages port=$((40000 + ($$ % 20000) + 1))
    mkdir -p "$pages"
    "$CRIU" page-server -D "$pages" --address 127.0.0.1 --port "$port" -o "$TEST_TMP/page-server.log" -v4 &
    PAGE_SERVER=$!
    wait_for "ss -Hltn 'sport = :$port' | grep -q LISTEN"
    mogu checkpoint --page-server "127.0.0.1:$port" --image-path "$IMAGES" "$ID"
    wait "$PAGE_SERVER" || true  # it exits once the dump is done with it
    PAGE_SERVER=
    ls "$pages"/pages-*.img "$pages"/pagemap-*.img
    ! ls "$IMAGES"/pages-*.img 2>/dev/null || false
    [ -f "$IMAGES/inventory.img" ]
    [ -z "$(mogu list -q)" ]
    cp "$pages"/pages-*.img "$pages"/pagemap-*.img "$IMAGES"/
    mogu restore -d --image-path "$IMAGES" "$ID" </dev/null >"$TEST_TMP/restore.out" 2>&1
    local first
    first=$(count_of "$ID")
    [ "$first" -ge 5 ]
    wait_for_count "$ID" "$((first + 3))"
    mogu delete --force "$ID"
    assert_nothing_left
}

# As runc's own test of lazy migration: the dump serves the pages from criu's page server and
# says so on --status-fd; `criu lazy-pages` on the target fetches them as the restored
# container touches them (userfaultfd).
@test "checkpoint --lazy-pages serves the pages; restore --lazy-pages with criu lazy-pages brings the counter back" {
    "$CRIU" check --feature uffd-noncoop >/dev/null 2>&1 || skip "this kernel has no userfaultfd with non-cooperative events (criu check --feature uffd-noncoop)"
    counter_bundle
    run_detached "$ID"
    wait_for_count "$ID" 5
    local port=$((40000 + ($$ % 20000) + 2)) other=${ID}-lazy
    mkfifo "$TEST_TMP/lazy-status"
    exec {status_fd}<>"$TEST_TMP/lazy-status"
    mogu checkpoint --lazy-pages --page-server "127.0.0.1:$port" --status-fd "$status_fd" --image-path "$IMAGES" "$ID" \
        >"$TEST_TMP/checkpoint.out" 2>&1 &
    DUMP=$!
    # criu writes one \0 once its page server listens.
    [ "$(timeout 30 head -c1 <&"$status_fd" | od -An -tx1 | tr -d ' ')" = 00 ] || { cat "$TEST_TMP/checkpoint.out"; return 1; }
    exec {status_fd}>&-
    "$CRIU" lazy-pages --page-server --address 127.0.0.1 --port "$port" -D "$IMAGES" -o "$TEST_TMP/lazy-pages.log" -v4 &
    PAGE_SERVER=$!
    # The checkpointed container exists until its dump ends: the restored one has its own cgroup.
    edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$other\""
    mogu restore -d --lazy-pages --image-path "$IMAGES" "$other" </dev/null >"$TEST_TMP/restore.out" 2>&1 || { cat "$TEST_TMP/restore.out"; return 1; }
    wait "$DUMP" || { cat "$TEST_TMP/checkpoint.out"; return 1; }
    DUMP=
    wait "$PAGE_SERVER"
    PAGE_SERVER=
    # The memory came from the dumped container through the page server, by userfaultfd, every page
    # of it (criu writes only the few pages it cannot serve lazily into pages-*.img).
    grep -E 'UFFD transferred pages: \(([1-9][0-9]*)/\1\)' "$TEST_TMP/lazy-pages.log" ||
        { grep -E 'uffd' "$TEST_TMP/lazy-pages.log" | tail -5; false; }
    [ "$(status_of "$other")" = running ]
    [ -z "$(mogu list -q | grep -x "$ID")" ]
    local first
    first=$(count_of "$other")
    [ "$first" -ge 5 ]
    wait_for_count "$other" "$((first + 3))"
    mogu delete -f "$other"
    assert_nothing_left "$other"
    assert_nothing_left "$ID"
}

@test "restore --lazy-pages with no lazy-pages daemon fails and leaves nothing behind" {
    "$CRIU" check --feature uffd-noncoop >/dev/null 2>&1 || skip "this kernel has no userfaultfd with non-cooperative events (criu check --feature uffd-noncoop)"
    counter_bundle
    run_detached "$ID"
    wait_for_count "$ID" 3
    mogu checkpoint --image-path "$IMAGES" "$ID"
    run mogu restore -d --lazy-pages --image-path "$IMAGES" "$ID" </dev/null
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"criu restore failed"* ]]
    assert_nothing_left
}

@test "a TCP connection to the container survives checkpoint and restore (--tcp-established): the client reads every count once" {
    make_netns_pair 7
    tcp_counter_bundle
    run_detached "$ID"
    start_tcp_client 7
    # Without the switch criu refuses the established connection, and the container runs on.
    run mogu checkpoint --image-path "$IMAGES" "$ID"
    [ "$status" -ne 0 ]
    [ "$(status_of "$ID")" = running ]
    rm -rf "$IMAGES"
    mogu checkpoint --tcp-established --image-path "$IMAGES" "$ID"
    [ -z "$(mogu list -q)" ]
    local before
    before=$(wc -l <"$TEST_TMP/client.out")
    sleep 0.5
    # Stopped: nothing came while the container was away, and the client still holds on.
    [ "$(wc -l <"$TEST_TMP/client.out")" -eq "$before" ]
    kill -0 "$CLIENT"
    mogu restore -d --tcp-established --image-path "$IMAGES" "$ID" </dev/null >"$TEST_TMP/restore.out" 2>&1 || { cat "$TEST_TMP/restore.out"; false; }
    wait_for "test \$(wc -l <$TEST_TMP/client.out) -gt $((before + 10))"
    kill -0 "$CLIENT"
    # The same connection, counting on: every number once, in order, none lost.
    consecutive "$TEST_TMP/client.out" || { head -c 600 "$TEST_TMP/client.out"; cat "$TEST_TMP/client.err"; false; }
    mogu delete --force "$ID"
    assert_nothing_left
}
