#!/usr/bin/env bats
# mogu migrate between two mogu roots on this machine: `migrate receive` under root B, the
# source under root A, over TCP on 127.0.0.1 (each test its own port), and once between two
# hosts that are network namespaces of their own. Live migration needs the criu `make deps`
# builds; those tests are skipped, with the reason, without it.

load lib/runtime
load lib/tcp_counter
bats_require_minimum_version 1.5.0

CRIU=${MOGU_CRIU:-/opt/mogu/criu/sbin/criu}

setup() {
    runtime_setup
    export COPY_ROOTFS=1
    ROOT_B=$TEST_TMP/state-b
    BUNDLE_B=$TEST_TMP/bundle-b
    mkdir -p "$BUNDLE_B"
    cp -a "$FIXTURE_ROOTFS" "$BUNDLE_B/rootfs"   # the image, already on the target
    PORT=$((20000 + ($$ % 20000) + BATS_TEST_NUMBER))
    RECEIVER=
}
teardown() {
    [[ -n $RECEIVER ]] && kill "$RECEIVER" 2>/dev/null && wait "$RECEIVER" 2>/dev/null
    local id
    for id in $("$MOGU" --root "$ROOT_B" list -q 2>/dev/null); do
        "$MOGU" --root "$ROOT_B" delete --force "$id" >/dev/null 2>&1 || true
    done
    runtime_teardown
    tcp_counter_teardown
    hosts_teardown
}

need_criu() { [[ -x $CRIU ]] && "$CRIU" --version >/dev/null 2>&1 || skip "criu 4.1 is not built at $CRIU (run make deps)"; }

# Whether criu can restore memory lazily here (userfaultfd): live migration is post-copy then.
serves_lazy_pages() { "$CRIU" check --feature uffd-noncoop >/dev/null 2>&1; }
expected_post_copy() { serves_lazy_pages && echo true || echo false; }
need_post_copy() {
    need_criu
    serves_lazy_pages || skip "this kernel has no userfaultfd for criu (criu check --feature uffd-noncoop): no post-copy"
}

# No criu lazy-pages daemon or receiver scratch directory is left.
assert_no_lazy_pages_left() {
    run ! pgrep -f "criu lazy-pages"
    [ -z "$(ls /var/tmp | grep -E '^mogu-(receive|migrate)-')" ]
}

mogu_b() { "$MOGU" --root "$ROOT_B" "$@"; }

# start_receiver [FAILPOINT]: the target's one-shot receiver in the background, listening once it
# returns. With FAILPOINT (name:action), build-fp's mogu with that failpoint set.
start_receiver() {
    local bin=$MOGU failpoint=()
    if [[ -n ${1:-} ]]; then
        bin=$MOGU_SRC/${FP_BUILD:-build-fp}/bin/mogu
        [[ -x $bin ]] || { echo "failpoint build missing at $bin (run make failpoint-binaries)" >&2; return 1; }
        failpoint=(MOGU_FAILPOINT="$1")
    fi
    env "${failpoint[@]}" "$bin" --root "$ROOT_B" migrate receive --listen "127.0.0.1:$PORT" --bundle-dir "$BUNDLE_B" \
        </dev/null >"$TEST_TMP/receiver.out" 2>&1 &
    RECEIVER=$!
    wait_for "ss -Hltn 'sport = :$PORT' | grep -q LISTEN"
}

# Two hosts as network namespaces of their own, A (10.214.N.1) and B (10.214.N.2), each with a
# veth into a bridge the test makes: mogu on A and on B run in them (nsenter --net only: the
# mount namespace, and with it the cgroup mounts, stays the machine's), so the migration's own
# connection and criu's page server traffic go from A's address to B's and nowhere else.
make_hosts() {
    HOST_A=mogu-host-a-$$ HOST_B=mogu-host-b-$$ HOSTS_BRIDGE=mhbr$$
    ip link add "$HOSTS_BRIDGE" type bridge
    ip link set "$HOSTS_BRIDGE" up
    local h n=1
    for h in "$HOST_A" "$HOST_B"; do
        ip netns add "$h"
        ip link add "mh$n-$$" type veth peer name eth0 netns "$h"
        ip link set "mh$n-$$" master "$HOSTS_BRIDGE" up
        ip -n "$h" addr add "10.214.$1.$n/24" dev eth0
        ip -n "$h" link set eth0 up
        ip -n "$h" link set lo up
        n=$((n + 1))
    done
}

on_host() { local h=$1; shift; nsenter --net="/var/run/netns/$h" "$@"; }

# Bytes host B's interface has received.
rx_bytes_of_b() { ip -n "$HOST_B" -j -s link show eth0 | jq '.[0].stats64.rx.bytes'; }

hosts_teardown() {
    [[ -n ${HOST_A:-} ]] && ip netns del "$HOST_A" 2>/dev/null
    [[ -n ${HOST_B:-} ]] && ip netns del "$HOST_B" 2>/dev/null
    [[ -n ${HOSTS_BRIDGE:-} ]] && ip link del "$HOSTS_BRIDGE" 2>/dev/null
    return 0
}

counter_bundle() {
    make_bundle '.root.readonly = false'
    set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done'
}

@test "live migration: the counter goes on counting on B from where it was, nothing left on A" {
    need_criu
    counter_bundle
    run_detached "$ID"
    wait_for "test \$(mogu exec $ID cat /tmp/count) -gt 5"
    mogu exec "$ID" sh -c 'echo changed >/etc/migrated'
    start_receiver
    run mogu migrate --format json --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(jq -r .mode <<<"$output")" = live ]
    jq -e '.freeze_seconds > 0 and .total_seconds >= .freeze_seconds' <<<"$output"
    # Post-copy by default where criu can: B ran the container before its memory was all in.
    [ "$(jq -r .post_copy <<<"$output")" = "$(expected_post_copy)" ]
    wait "$RECEIVER"
    RECEIVER=
    assert_no_lazy_pages_left
    # Gone from A: no state, cgroup or mount of A's container (the cgroup path is B's now).
    [ -z "$(mogu list -q)" ]
    [ ! -e "$ROOT/$ID" ]
    [ "$(mogu_b state "$ID" | jq -r .status)" = running ]
    local first
    first=$(mogu_b exec "$ID" cat /tmp/count)
    [ "$first" -gt 5 ]
    wait_for "test \$(mogu_b exec $ID cat /tmp/count) -gt $((first + 3))"
    [ "$(cat "$BUNDLE_B/rootfs/etc/migrated")" = changed ]
    mogu_b delete --force "$ID"
    ROOT=$ROOT_B assert_nothing_left
}

@test "live migration keeps a client's TCP connection: after the move it reads every count once, from B" {
    need_criu
    make_netns_pair 8
    tcp_counter_bundle
    run_detached "$ID"
    start_tcp_client 8
    start_receiver
    run mogu migrate --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    [ "$status" -eq 0 ]
    if serves_lazy_pages; then [[ $output == *"(post-copy: the target fills in its memory as it runs)"* ]]; fi
    wait "$RECEIVER"
    RECEIVER=
    [ -z "$(mogu list -q)" ]
    [ "$(mogu_b state "$ID" | jq -r .status)" = running ]
    local before
    before=$(wc -l <"$TEST_TMP/client.out")
    wait_for "test \$(wc -l <$TEST_TMP/client.out) -gt $((before + 10))"
    kill -0 "$CLIENT"
    # One connection all along, its server now B's container: every number once, in order.
    consecutive "$TEST_TMP/client.out" || { head -c 600 "$TEST_TMP/client.out"; cat "$TEST_TMP/client.err"; false; }
    [ "$(ip netns pids "$NETNS_SRV" | wc -l)" -ge 1 ]
    mogu_b delete --force "$ID"
    ROOT=$ROOT_B assert_nothing_left
}

@test "hosts in network namespaces of their own: the move goes from A's address to B's, the client's connection goes on" {
    need_criu
    make_hosts 9
    make_netns_pair 9
    tcp_counter_bundle
    on_host "$HOST_A" "$MOGU" --root "$ROOT" run -d "$ID" </dev/null >"$TEST_TMP/run.out" 2>&1
    start_tcp_client 9
    # B's receiver listens on B's address, in B's namespace: only A, over the bridge, reaches it.
    on_host "$HOST_B" "$MOGU" --root "$ROOT_B" migrate receive --listen "10.214.9.2:$PORT" --bundle-dir "$BUNDLE_B" \
        </dev/null >"$TEST_TMP/receiver.out" 2>&1 &
    RECEIVER=$!
    wait_for "on_host $HOST_B ss -Hltn 'sport = :$PORT' | grep -q LISTEN"
    local rx_before
    rx_before=$(rx_bytes_of_b)
    run on_host "$HOST_A" "$MOGU" --root "$ROOT" migrate --format json --to "10.214.9.2:$PORT" "$ID"
    echo "$output"
    [ "$status" -eq 0 ]
    wait "$RECEIVER"
    RECEIVER=
    cat "$TEST_TMP/receiver.out"
    [ -z "$(mogu list -q)" ]
    [ "$(mogu_b state "$ID" | jq -r .status)" = running ]
    # Everything the source says it sent (the container's images and files) crossed B's link.
    local sent
    sent=$(jq .bytes_sent <<<"$output")
    (( sent > 0 && $(rx_bytes_of_b) - rx_before >= sent ))
    local before
    before=$(wc -l <"$TEST_TMP/client.out")
    wait_for "test \$(wc -l <$TEST_TMP/client.out) -gt $((before + 10))"
    kill -0 "$CLIENT"
    consecutive "$TEST_TMP/client.out" || { head -c 600 "$TEST_TMP/client.out"; cat "$TEST_TMP/client.err"; false; }
    mogu_b delete --force "$ID"
    ROOT=$ROOT_B assert_nothing_left
}

@test "--no-post-copy: B loads all memory before the container runs; the count goes on" {
    need_criu
    counter_bundle
    run_detached "$ID"
    wait_for "test \$(mogu exec $ID cat /tmp/count) -gt 5"
    start_receiver
    run mogu migrate --no-post-copy --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"live migration to 127.0.0.1:$PORT done"* ]]
    [[ $output != *"post-copy: the target fills in"* ]]
    wait "$RECEIVER"
    RECEIVER=
    [ -z "$(mogu list -q)" ]
    local first
    first=$(mogu_b exec "$ID" cat /tmp/count)
    [ "$first" -gt 5 ]
    wait_for "test \$(mogu_b exec $ID cat /tmp/count) -gt $((first + 3))"
    mogu_b delete --force "$ID"
    ROOT=$ROOT_B assert_nothing_left
    assert_no_lazy_pages_left
}

# The daemon filling in B's memory fails (a failpoint in build-fp's receiver, where criu's
# lazy-pages would have exited early): B must not run on with pages missing, and A, which kept
# its paused copy until B had all of it, resumes it.
@test "post-copy: B loses the memory it was filling in; B removes the container, A resumes its own" {
    need_post_copy
    counter_bundle
    run_detached "$ID"
    wait_for "test \$(mogu exec $ID cat /tmp/count) -gt 5"
    start_receiver receive.lazy-pages:enospc
    run mogu migrate --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"ran $ID but could not fill in its memory (it stopped it there)"*"removed here, its memory incomplete"* ]]
    [[ $output == *"$ID runs here again"* ]]
    run wait "$RECEIVER"
    RECEIVER=
    [ "$status" -ne 0 ]
    cat "$TEST_TMP/receiver.out"
    [[ $(cat "$TEST_TMP/receiver.out") == *"restored post-copy, but"* ]]
    # Nothing of it on B (the cgroup path is A's again: both roots are on this machine); A's
    # copy counts on, and once it is deleted nothing of either is left.
    [ -z "$(mogu_b list -q)" ]
    [ ! -e "$ROOT_B/$ID" ]
    [ "$(status_of "$ID")" = running ]
    local first
    first=$(mogu exec "$ID" cat /tmp/count)
    wait_for "test \$(mogu exec $ID cat /tmp/count) -gt $((first + 3))"
    mogu delete --force "$ID"
    assert_nothing_left
    assert_no_lazy_pages_left
    rm -f "/var/tmp/mogu-lazy-pages-$ID.log"
}

# The receiver dies after B runs the container post-copy (a failpoint kills it where it would wait
# for the memory): A cannot know whether B runs it whole, so it must not put its own copy back
# (two would run); it says what to check, and keeps the images. criu's daemon on B, in a session
# of its own, fills the memory in regardless.
@test "post-copy: the receiver dies after B ran it; A does not put its copy back and says what to check" {
    need_post_copy
    counter_bundle
    run_detached "$ID"
    wait_for "test \$(mogu exec $ID cat /tmp/count) -gt 5"
    start_receiver receive.lazy-pages:kill
    run mogu migrate --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"ran $ID post-copy, but the connection to it failed before it said the memory was all there"* ]]
    [[ $output == *"if $ID does not run on 127.0.0.1:$PORT, restore it here from /var/tmp/mogu-migrate-"*"mogu restore -d --tcp-established --image-path"* ]]
    [[ $output != *"runs here again"* ]]
    local kept
    kept=$(grep -o '/var/tmp/mogu-migrate-[A-Za-z0-9]*' <<<"$output" | head -n 1)
    run wait "$RECEIVER"
    RECEIVER=
    # A put nothing back; B runs it with all its memory, counting on.
    [ -z "$(mogu list -q)" ]
    [ "$(mogu_b state "$ID" | jq -r .status)" = running ]
    local first
    first=$(mogu_b exec "$ID" cat /tmp/count)
    [ "$first" -gt 5 ]
    wait_for "test \$(mogu_b exec $ID cat /tmp/count) -gt $((first + 3))"
    wait_for "! pgrep -f 'criu lazy-pages' >/dev/null"
    mogu_b delete --force "$ID"
    ROOT=$ROOT_B assert_nothing_left
    # What the killed receiver and the source kept: removed by hand, as the message says.
    [ -d "$kept/images" ]
    rm -rf "$kept" /var/tmp/mogu-receive-*
    assert_no_lazy_pages_left
}

@test "cold migration: the container stops on A, starts on B with its changed files" {
    make_bundle '.root.readonly = false'
    set_args sh -c 'echo cold >/srv-data; mkdir -p /var/new; echo x >/var/new/file; while :; do sleep 1; done'
    run_detached "$ID"
    wait_for "test -f $BUNDLE/rootfs/var/new/file"
    start_receiver
    run mogu migrate --cold --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"cold migration to 127.0.0.1:$PORT done"* ]]
    wait "$RECEIVER"
    RECEIVER=
    # (B's container has the same cgroup path on this one machine: only A's state is checked)
    [ -z "$(mogu list -q)" ]
    [ ! -e "$ROOT/$ID" ]
    [ "$(mogu_b state "$ID" | jq -r .status)" = running ]
    [ "$(cat "$BUNDLE_B/rootfs/srv-data")" = cold ]
    [ "$(cat "$BUNDLE_B/rootfs/var/new/file")" = x ]
    mogu_b delete --force "$ID"
}

@test "an unreachable target: a clear error, the source keeps running" {
    make_bundle
    set_args sleep 1000
    run_detached "$ID"
    run mogu migrate --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"connecting to 127.0.0.1:$PORT"* ]]
    [ "$(status_of "$ID")" = running ]
}

@test "a target that already has the id refuses; the source keeps running, B keeps its own" {
    make_bundle
    set_args sleep 1000
    run_detached "$ID"
    (cd "$BUNDLE_B" && cp "$BUNDLE/config.json" . && mogu_b run -d "$ID" </dev/null >/dev/null 2>&1)
    start_receiver
    run mogu migrate --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"refused $ID"*"exists on the target"* ]]
    [ "$(status_of "$ID")" = running ]
    [ "$(mogu_b state "$ID" | jq -r .status)" = running ]
}

@test "a target that dies mid-transfer: the source container runs on A again, counting on" {
    need_criu
    counter_bundle
    run_detached "$ID"
    wait_for "test \$(mogu exec $ID cat /tmp/count) -gt 3"
    # A fake target: says ok to the hello, reads a little, then dies.
    python3 - "$PORT" >"$TEST_TMP/fake.out" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
c, _ = s.accept()
h = c.recv(9); n = int.from_bytes(h[1:], "big"); c.recv(n)
c.sendall(bytes([7]) + (2).to_bytes(8, "big") + b"ok")
c.recv(4096)
c.close()
PY
    RECEIVER=$!
    wait_for "ss -Hltn 'sport = :$PORT' | grep -q LISTEN"
    run mogu migrate --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"runs here again"* ]]
    [ "$(status_of "$ID")" = running ]
    local first
    first=$(mogu exec "$ID" cat /tmp/count)
    [ "$first" -gt 3 ]
    wait_for "test \$(mogu exec $ID cat /tmp/count) -gt $((first + 2))"
}

@test "bad input: no --to, a bad address, a container that is not there, a bad --format" {
    run mogu migrate "$ID"
    [ "$status" -ne 0 ]
    [[ $output == *"--to ADDR:PORT"*"required"* ]]
    run mogu migrate --to 127.0.0.1 "$ID"
    [ "$status" -ne 0 ]
    [[ $output == *"expected ADDR:PORT"* ]]
    run mogu migrate --to 300.0.0.1:5 "$ID"
    [ "$status" -ne 0 ]
    [[ $output == *"not an IPv4 address"* ]]
    run mogu migrate --to "127.0.0.1:$PORT" nosuch-$ID
    [ "$status" -ne 0 ]
    [[ $output == *"nosuch-$ID"* ]]
    run mogu migrate --format yaml --to "127.0.0.1:$PORT" "$ID"
    [ "$status" -ne 0 ]
    [[ $output == *"--format must be text or json"* ]]
}

# Whether this kernel tracks dirty memory (soft-dirty bits), as criu sees it.
tracks_dirty_memory() { "$CRIU" check --feature mem_dirty_track >/dev/null 2>&1; }

@test "pre-copy without dirty memory tracking: one line says so, stop-and-copy moves the container" {
    need_criu
    tracks_dirty_memory && skip "this kernel tracks dirty memory: the pre-copy test below covers it"
    counter_bundle
    run_detached "$ID"
    wait_for "test \$(mogu exec $ID cat /tmp/count) -gt 3"
    start_receiver
    run mogu migrate --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"pre-copy needs dirty memory tracking (CONFIG_MEM_SOFT_DIRTY), which this kernel lacks: stop-and-copy"* ]]
    [ "$(grep -c 'pre-copy needs' <<<"$output")" -eq 1 ]
    [[ $output == *"stop-and-copy live migration to 127.0.0.1:$PORT done"* ]]
    wait "$RECEIVER"
    RECEIVER=
    [ -z "$(mogu list -q)" ]
    local first
    first=$(mogu_b exec "$ID" cat /tmp/count)
    wait_for "test \$(mogu_b exec $ID cat /tmp/count) -gt $((first + 2))"
    mogu_b delete --force "$ID"
    ROOT=$ROOT_B assert_nothing_left
}

@test "--max-iterations 0 is stop-and-copy without asking the kernel; a bad count is refused" {
    need_criu
    counter_bundle
    run_detached "$ID"
    run mogu migrate --max-iterations -1 --to "127.0.0.1:$PORT" "$ID"
    [ "$status" -ne 0 ]
    [[ $output == *"--max-iterations must be a number 0-100"* ]]
    run mogu migrate --max-iterations lots --to "127.0.0.1:$PORT" "$ID"
    [ "$status" -ne 0 ]
    [[ $output == *"--max-iterations must be a number 0-100"*"lots"* ]]
    [ "$(status_of "$ID")" = running ]
    wait_for "test \$(mogu exec $ID cat /tmp/count) -gt 3"
    start_receiver
    run mogu migrate --max-iterations 0 --format json --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    [ "$status" -eq 0 ]
    jq -e '.copy == "stop-and-copy" and (.fallback == null) and (.iterations | length) == 0' <<<"$output"
    wait "$RECEIVER"
    RECEIVER=
    [ "$(mogu_b state "$ID" | jq -r .status)" = running ]
    mogu_b delete --force "$ID"
}

# Pre-copy proper needs soft-dirty bits (tests/vm/suites/migrate-precopy.sh runs this in a guest
# whose kernel has them). The container keeps a few MiB in an awk array and rewrites a tenth of it
# between counts. Both roots are on one machine and A's container stays, paused, in its cgroup
# until B runs it: B restores into another cgroup (--cgroups-path).
@test "pre-copy: rounds shrink, the counter goes on on B from memory, nothing left on A" {
    need_criu
    tracks_dirty_memory || skip "this kernel lacks dirty memory tracking (CONFIG_MEM_SOFT_DIRTY); tests/vm/suites/migrate-precopy.sh runs this in a guest"
    make_bundle '.root.readonly = false'
    set_args awk 'BEGIN { for (i = 0; i < 60000; i++) a[i] = i
        while (1) { for (i = 0; i < 6000; i++) a[i]++; n++; print n > "/tmp/count"; close("/tmp/count"); system("usleep 200000") } }'
    run_detached "$ID"
    wait_for "test \$(mogu exec $ID cat /tmp/count 2>/dev/null || echo 0) -gt 3"
    mogu_b migrate receive --listen "127.0.0.1:$PORT" --bundle-dir "$BUNDLE_B" --cgroups-path "$CGROUP_PARENT/$ID-b" \
        </dev/null >"$TEST_TMP/receiver.out" 2>&1 &
    RECEIVER=$!
    wait_for "ss -Hltn 'sport = :$PORT' | grep -q LISTEN"
    local before
    before=$(mogu exec "$ID" cat /tmp/count)
    run --separate-stderr mogu migrate --format json --to "127.0.0.1:$PORT" "$ID"
    echo "$output"
    echo "$stderr"
    cat "$TEST_TMP/receiver.out"
    [ "$status" -eq 0 ]
    wait "$RECEIVER"
    RECEIVER=
    echo "# figures: $(jq -c '{copy, freeze_seconds, total_seconds, bytes_sent, image_bytes, iterations}' <<<"$output")" >&3
    jq -e '.copy == "pre-copy" and .freeze_seconds > 0 and .total_seconds > .freeze_seconds' <<<"$output"
    # The final restore is post-copy where criu can (its pages from the pre-dumps' parent chain).
    [ "$(jq -r .post_copy <<<"$output")" = "$(expected_post_copy)" ]
    # More than one pre-dump, the last round (the final dump) marked, later rounds smaller than the first.
    jq -e '[.iterations[] | select(.final | not)] | length > 1' <<<"$output"
    jq -e '.iterations[-1].final and ([.iterations[] | select(.final)] | length) == 1' <<<"$output"
    jq -e '.iterations[0].pages_bytes as $first | all(.iterations[1:][]; .pages_bytes < $first)' <<<"$output"
    # A's container is gone; B's counts on from where A's memory was.
    [ -z "$(mogu list -q)" ]
    [ ! -e "$ROOT/$ID" ]
    [ "$(mogu_b state "$ID" | jq -r .status)" = running ]
    local first
    first=$(mogu_b exec "$ID" cat /tmp/count)
    [ "$first" -ge "$before" ]
    wait_for "test \$(mogu_b exec $ID cat /tmp/count) -gt $((first + 2))"
    mogu_b delete --force "$ID"
    ROOT=$ROOT_B assert_nothing_left
    local m
    for m in $(cgroup_mounts); do [ ! -d "$m$CGROUP_PARENT/$ID-b" ]; done
    # No page server, lazy-pages daemon or scratch directory left behind.
    run ! pgrep -f "page-server --rpc"
    assert_no_lazy_pages_left
}
