#!/bin/bash
# Runs inside the guest (tests/vm/suites/cache-tier.sh boots it twice over the same disks): the
# SSD cache tier of mogu-snapshotter over a slow data disk (dm-delay), a fast cache disk and a
# metadata disk. Writes "PASS|name" or "FAIL|name|why" lines to WORK/results.PHASE; the suite
# turns them into TAP.
#   phase 1: bad input, pool create with a writeback cache, a container's reads counted as hits,
#            a snapshot committed, dirty blocks, another snapshot's commit paused in the daemon,
#            then a hard power-off (sysrq o: no sync, no unmount)
#   phase 2: the mode switch refused while dirty; the daemon started on the pool as the power-off
#            left it rebuilds the cache under it itself; the committed snapshot intact, the cut
#            commit repaired, the data written before the power-off there; the pool taken down
#            by hand with dirty blocks, recover rebuilds the cache and reads that data through it;
#            taken down again, `pool activate` rebuilds it; detach while a container writes (dirty
#            blocks when it starts, the container writing throughout), attach to the running pool
#            and a container's reads hit it, clean-up
# The containers run on the snapshot itself (mogu, the busybox fixture copied into it).
set -uo pipefail
WORK=$1 PHASE=$2
export DM_DISABLE_UDEV=1
B=$MOGU_BIN/mogu-snapshotter
R=$WORK/results.$PHASE; : >"$R"
pass() { echo "PASS|$1" >>"$R"; }
fail() { echo "FAIL|$1|$(echo "${2:-}" | tr '\n|' '  ' | cut -c1-600)" >>"$R"; }
check() { local name=$1 said; shift; if said=$("$@" 2>&1); then pass "$name"; else fail "$name" "$said"; fi; }

for m in dm-thin-pool dm-cache dm-cache-smq dm-delay; do modprobe $m || { fail "modprobe $m" "module missing"; exit 1; }; done
DATA=/dev/disk/by-id/virtio-data FAST=/dev/disk/by-id/virtio-fast META=/dev/disk/by-id/virtio-meta
# The slow origin: every read and write delayed, so the cache's hits are real savings.
dmsetup create slow --table "0 $(blockdev --getsz $DATA) delay $DATA 0 8 $DATA 0 2" || { fail "dm-delay" "cannot make it"; exit 1; }
mkdir -p /mnt/s
config() {  # FILE MODE [extra lines]: a config over the three disks
    cat >"$1" <<T
pool_name = "mogu"
root_path = "$WORK/root"
address = "/run/mogu-cache.sock"
base_image_size = "64MiB"
data_device = "/dev/mapper/slow"
metadata_device = "$META"
cache_device = "$FAST"
cache_mode = "$2"
cache_block_size = "64KiB"
${3:-}
T
}
config $WORK/wb.toml writeback
config $WORK/wt.toml writethrough
S() { $B --config $WORK/wb.toml "$@"; }
C() { $B --config $WORK/wb.toml snapshots "$@"; }
daemon_pid=""
start_daemon() {
    rm -f /run/mogu-cache.sock
    MOGU_FAILPOINT_FILE=$WORK/failpoint $B --config $WORK/wb.toml serve >>$WORK/daemon.$PHASE.log 2>&1 &
    daemon_pid=$!
    for _ in $(seq 200); do [[ -S /run/mogu-cache.sock ]] && return 0; kill -0 $daemon_pid 2>/dev/null || return 1; sleep 0.1; done
    return 1
}
stop_daemon() { [[ -n $daemon_pid ]] && kill $daemon_pid 2>/dev/null; wait $daemon_pid 2>/dev/null; daemon_pid=""; }
field() { S pool status | sed -n "s|^$1||p"; }               # field 'cache dirty: ' -> rest of the line
read_hits() { field 'cache reads: ' | awk '{ print $1 }'; }
# mogu check's line for the cache tier: "LEVEL|detail".
tier_line() {
    $MOGU_BIN/mogu check --format json --snapshotter-config $WORK/wb.toml >$WORK/check.json 2>&1
    jq -r '.checks[] | select(.name | startswith("cache tier")) | "\(.level)|\(.detail)"' $WORK/check.json
}
dm_left() { dmsetup ls | awk '$1 != "slow" { print $1 }' | grep . && return 1 || return 0; }
# stale_hot TABLES: the md5 of /hot in the snapshot "work" as the slow disk alone holds it, through
# a read-only pool over the origin without the cache (made from TABLES, `dmsetup table` of the
# pool and of work's thin device), "unmountable" or "unreadable"; fails when it cannot make them.
stale_hot() {
    local meta slow pool thin sum=""
    meta=$(printf '%d:%d' "0x$(stat -L -c %t $META)" "0x$(stat -L -c %T $META)")
    slow=$(dmsetup info -c --noheadings -o major,minor slow | tr -d ' ')
    pool=$(awk -v m="$meta" -v s="$slow" '$1 == "mogu:" { print $2, $3, $4, m, s, $7, $8, "2 ignore_discard read_only" }' "$1")
    dmsetup create stale-pool --table "$pool" || return 1
    thin=$(awk -v n="$(cat $WORK/work.dm):" -v p="$(dmsetup info -c --noheadings -o major,minor stale-pool | tr -d ' ')" \
        '$1 == n { print $2, $3, $4, p, $6 }' "$1")
    mkdir -p /mnt/stale
    dmsetup create stale-thin --readonly --table "$thin" || { dmsetup remove --retry stale-pool; return 1; }
    if mount -o ro,noload,nodiscard /dev/mapper/stale-thin /mnt/stale; then
        sum=$(md5sum /mnt/stale/hot | awk '{ print $1 }'); umount /mnt/stale
    else
        sum=unmountable
    fi
    dmsetup remove --retry stale-thin; dmsetup remove --retry stale-pool
    echo "${sum:-unreadable}"
}
# size_of BLOCKS: that many 64 KiB cache blocks as the snapshotter prints sizes (sizes.cpp format_size).
size_of() {
    awk -v b=$(( $1 * 65536 )) 'BEGIN { if (b < 1024) { printf "%d B", b; exit }
        v = b / 1024; split("KiB MiB GiB TiB", u, " "); i = 1; while (v >= 1024 && i < 4) { v /= 1024; i++ }
        printf "%.1f %s", v, u[i] }'
}
# cache_use_ok MIN_USED [FILE]: pool status's (or FILE's) "cache use: USED of TOTAL, U/T blocks" line
# has T as the kernel counts the cache's blocks, MIN_USED <= U <= T, and sizes that fit U and T.
cache_use_ok() {
    local line kt u t
    line=$(if [[ -n ${2:-} ]]; then cat "$2"; else S pool status; fi | grep '^cache use: ')
    kt=$(dmsetup status mogu-data | awk '$3 == "cache" { split($7, a, "/"); print a[2] }')
    [[ $line =~ ^cache\ use:\ (.+)\ of\ (.+),\ ([0-9]+)/([0-9]+)\ blocks$ ]] || { echo "no cache use line: '$line'"; return 1; }
    u=${BASH_REMATCH[3]} t=${BASH_REMATCH[4]}
    [[ $t == "$kt" && ${BASH_REMATCH[1]} == "$(size_of $u)" && ${BASH_REMATCH[2]} == "$(size_of $t)" ]] && (( t > 0 && u >= $1 && u <= t )) ||
        { echo "'$line': the kernel says $kt blocks; at least $1 used wanted"; return 1; }
}
# cache_under_pool: <pool>-data is a writeback smq cache without discard passdown, and the pool sits on it.
cache_under_pool() {
    dmsetup table mogu-data | grep -q ' cache .* 2 writeback no_discard_passdown smq 0' &&
        [[ $(dmsetup table mogu | awk '{ print $5 }') == $(dmsetup info -c --noheadings -o major,minor mogu-data | tr -d ' ') ]] ||
        { dmsetup table; false; }
}
export -f S dm_left size_of cache_use_ok cache_under_pool; export B WORK
# The reads and writes the cache serves come from containers of mogu's whose rootfs is the
# snapshot mounted at /mnt/s (the busybox fixture copied in), as a node's pool serves them.
# in_container ID SCRIPT: runs sh -c SCRIPT in a new container there, in the foreground; its
# output goes to $WORK/ID.out, its exit status is the function's.
in_container() {
    local id=$1 script=$2
    mkdir -p /run/mogu-cache-bundles/$id
    jq --arg script "$script" '.process.terminal = false | .process.args = ["sh", "-c", $script]
        | .root = {path: "/mnt/s", readonly: false}' $WORK/spec.json >/run/mogu-cache-bundles/$id/config.json
    $MOGU_BIN/mogu run --bundle /run/mogu-cache-bundles/$id $id </dev/null >$WORK/$id.out 2>&1
}
(cd $WORK && $MOGU_BIN/mogu spec && mv config.json spec.json) || { fail "mogu spec" "no spec to build bundles from"; exit 1; }
# Checks read the last command's output and status from the environment (out, rc), never spliced
# into their source: an output with a quote or a backtick in it cannot break the check.
set -a

if [[ $PHASE == 1 ]]; then
    # --- bad input: each refused clearly, nothing made
    config $WORK/same.toml writeback; sed -i "s|^cache_device = .*|cache_device = \"$META\"|" $WORK/same.toml
    out=$($B --config $WORK/same.toml pool create 2>&1); rc=$?
    check "a config naming one device twice is refused naming both keys, nothing made" bash -c "[[ $rc == 1 && \$out == *cache_device*'same device as metadata_device'* ]] && dm_left && [[ ! -e $WORK/root/cache.layout ]] || { echo \"\$out\"; false; }"
    config $WORK/tiny.toml writeback; sed -i "s|^cache_device = .*|cache_device = \"/dev/disk/by-id/virtio-tiny\"|" $WORK/tiny.toml
    out=$($B --config $WORK/tiny.toml pool create 2>&1); rc=$?
    check "a cache device smaller than its metadata needs is refused, nothing made" bash -c "[[ $rc == 1 && \$out == *'its metadata needs'* ]] && dm_left && [[ ! -e $WORK/root/cache.layout ]] || { echo \"\$out\"; false; }"
    mkfs.ext4 -q /dev/disk/by-id/virtio-withfs
    config $WORK/fs.toml writeback; sed -i "s|^cache_device = .*|cache_device = \"/dev/disk/by-id/virtio-withfs\"|" $WORK/fs.toml
    out=$($B --config $WORK/fs.toml pool create 2>&1); rc=$?
    check "a cache device holding a filesystem is refused, nothing made" bash -c "[[ $rc == 1 && \$out == *'holds a ext4 signature'* ]] && dm_left && [[ ! -e $WORK/root/cache.layout ]] || { echo \"\$out\"; false; }"

    # --- the pool on the cache
    S pool create >$WORK/create.out 2>&1
    check "pool create puts the pool on a dm-cache device over the slow disk" bash -c "dmsetup table mogu-data | grep -q ' cache .* 2 writeback no_discard_passdown smq 0' && [[ \$(dmsetup table mogu | awk '{ print \$5 }') == \$(dmsetup info -c --noheadings -o major,minor mogu-data | tr -d ' ') ]] || { cat $WORK/create.out; dmsetup table; false; }"
    S pool status >$WORK/pool-status.1 2>&1
    check "pool status shows the cache's use (as the kernel counts its blocks), hits, misses and dirty blocks" bash -c "grep -q '^cache: $FAST, writeback, policy smq' $WORK/pool-status.1 && cache_use_ok 0 $WORK/pool-status.1 && grep -q '^cache reads: [0-9]* hits, [0-9]* misses' $WORK/pool-status.1 && grep -q '^cache dirty: [0-9]* blocks' $WORK/pool-status.1 || { cat $WORK/pool-status.1; false; }"
    start_daemon || { fail "the daemon starts on the cached pool" "$(cat $WORK/daemon.$PHASE.log)"; exit 1; }
    pass "the daemon starts on the cached pool"
    dev=$(C prepare work | awk '{ print $2 }')
    basename "$dev" >$WORK/work.dm
    mount -o nodiscard "$dev" /mnt/s
    majmin=$(printf '%d:%d' "0x$(stat -L -c %t "$dev")" "0x$(stat -L -c %T "$dev")")
    check "discard stays off through the cache" bash -c "[[ \$(cat /sys/dev/block/$majmin/queue/discard_max_bytes) == 0 ]]"
    cp -a $MOGU_SRC/tests/fixtures/out/rootfs/. /mnt/s/
    # Repeated direct reads of one file in a container: the cache promotes its blocks and counts hits.
    dd if=/dev/urandom of=/mnt/s/hot bs=1M count=8 status=none conv=fsync
    before=$(read_hits)
    in_container reader 'for i in 1 2 3 4 5 6 7 8; do dd if=/hot of=/dev/null bs=64k iflag=direct 2>/dev/null || exit 1; done'
    rc=$?
    after=$(read_hits)
    check "repeated reads in a container are counted as cache hits" bash -c "(( $rc == 0 && $after > $before + 16 )) || { echo rc=$rc hits before=$before after=$after; cat $WORK/reader.out; false; }"
    # --- a commit cut by the power-off: "done" is committed first; "half" is written, unmounted
    # and its commit paused in the daemon after the thin device went inactive, until the power-off.
    mkdir -p /mnt/h
    for snap in done half; do
        dev=$(C prepare $snap | awk '{ print $2 }')
        mount -o nodiscard "$dev" /mnt/h && dd if=/dev/urandom of=/mnt/h/blob bs=1M count=2 status=none &&
            md5sum /mnt/h/blob | awk '{ print $1 }' >$WORK/$snap.md5 && umount /mnt/h
    done
    C commit done-c done
    # Writes into cached blocks stay in the cache (dirty) in writeback mode, until smq writes them
    # back: it does once the origin has been idle for a second. A reader kept running does not
    # stop it (its hits are no I/O to the origin): with one, the origin held every block of hot
    # at the power-off. The cache's migration_threshold at 0 (in the kernel only, gone with the
    # power-off) leaves no bandwidth for it: hot's new blocks are in the cache alone at the
    # power-off, and phase 2 checks that the origin alone has stale data.
    dmsetup message mogu-data 0 migration_threshold 0
    # Up to five rounds: a block smq has not promoted yet is written straight to the origin. The
    # dirty count is read from the kernel right after each write (dmsetup, not `pool status`,
    # whose start-up under TCG on a busy host can outlast the second after which smq cleans an
    # idle cache); `pool status` shows the same field (checked above).
    for _ in 1 2 3 4 5; do
        dd if=/mnt/s/hot of=/dev/null bs=64k iflag=direct status=none
        dd if=/dev/urandom of=/mnt/s/hot bs=1M count=8 status=none conv=notrunc,fsync oflag=direct
        dmsetup status mogu-data >$WORK/status.after-write 2>&1
        awk '$3 == "cache" { print $14 }' $WORK/status.after-write >$WORK/dirty.before
        (( $(cat $WORK/dirty.before) > 0 )) 2>/dev/null && break
    done
    md5sum /mnt/s/hot | awk '{ print $1 }' >$WORK/hot.md5
    check "writes in writeback mode leave dirty blocks" bash -c "(( \$(cat $WORK/dirty.before) > 0 )) || { echo dirty=\$(cat $WORK/dirty.before); cat $WORK/status.after-write; false; }"
    # The commit of "half" last: the failpoint holds it for at most 60 s.
    echo commit-after-deactivate:pause >$WORK/failpoint
    C commit half-c half >$WORK/half-commit.out 2>&1 &
    for _ in $(seq 100); do grep -q 'failpoint commit-after-deactivate: paused' $WORK/daemon.1.log && break; sleep 0.2; done
    check "a commit is paused in the daemon at the power-off" bash -c "grep -q 'failpoint commit-after-deactivate: paused' $WORK/daemon.1.log && [[ -s $WORK/done.md5 && -s $WORK/half.md5 ]] || { tail -5 $WORK/daemon.1.log; false; }"
    sync
    sleep 2   # the cache commits its metadata every second
    dmsetup table >$WORK/tables.poweroff; dmsetup status mogu-data >$WORK/status.poweroff
    echo o >/proc/sysrq-trigger   # power off now: no unmount, no clean shutdown of the cache
    sleep 30
    exit 1
fi

# --- phase 2: after the power-off. Nothing is active: the pool as the power-off left it.
stale=$(stale_hot $WORK/tables.poweroff 2>$WORK/stale.err); stale_rc=$?
echo "after the power-off, hot on the origin alone: $stale (rc $stale_rc; written: $(cat $WORK/hot.md5))" >>$WORK/stale.err
out=$($B --config $WORK/wt.toml pool activate 2>&1); rc=$?
n=$(sed -n 's/.* holds \([0-9]*\) dirty block.*/\1/p' <<<"$out")
check "after the power-off the cache holds dirty blocks (the origin alone has stale data); switching it to writethrough is refused, nothing changed" bash -c "[[ $stale_rc == 0 && \$stale != \$(cat $WORK/hot.md5) ]] || { echo hot on the origin alone: \$stale, rc $stale_rc; cat $WORK/stale.err; false; } && [[ $rc == 1 && \$out == *'dirty block'*'pool cache detach'* && \${n:-0} -gt 0 ]] && dm_left && grep -q '^mode=writeback' $WORK/root/cache.layout || { echo \"\$out\"; dmsetup ls; false; }"

# hold_dirty: as soon as mogu-data exists, sets its migration_threshold to 0 (in the kernel only,
# until its table is next loaded): no bandwidth is left for background work, so smq does not
# write the dirty blocks back once the origin has been idle for a second. (A reader kept running
# did not stop it: hits are no I/O to the origin, and each miss promoted a block.) The blocks dirty
# since the power-off then stay dirty until the pool is taken down for recover below.
hold_pid=""
hold_dirty() {
    ( for _ in $(seq 1200); do
        dmsetup message mogu-data 0 migration_threshold 0 2>/dev/null && exit 0; sleep 0.05; done; exit 1 ) &
    hold_pid=$!
}
# pool_down: `pool deactivate`, as a clean shutdown takes the pool down: its unused thin devices,
# the pool, then the cache, whose dirty blocks stay marked in its metadata. The tables are kept
# in $WORK/tables.down, the cache's status just before in $WORK/status.down.
pool_down() {
    dmsetup table >$WORK/tables.down
    dmsetup status mogu-data >$WORK/status.down 2>&1
    S pool deactivate >$WORK/deactivate.out 2>&1 || { cat $WORK/deactivate.out; return 1; }
    grep -qx 'pool mogu deactivated' $WORK/deactivate.out
}

# --- the daemon on the pool the power-off left (no `pool activate` before it): it rebuilds the
# cache from cache.layout and the cache's own metadata, with its dirty blocks, before the pool.
rm -f $WORK/failpoint
hold_dirty
start_daemon || { fail "the daemon starts on the pool the power-off left inactive" "$(cat $WORK/daemon.$PHASE.log)"; exit 1; }
pass "the daemon starts on the pool the power-off left inactive"
wait $hold_pid; hold_rc=$?
check "the daemon rebuilds the cache under the pool itself (writeback, no discard passdown, its blocks from before)" bash -c "cache_under_pool && cache_use_ok 1 || { tail -5 $WORK/daemon.2.log; false; }"
dev=$(C mounts work | awk '{ print $2 }')
mount -o nodiscard "$dev" /mnt/s
# blob_in PARENT: the md5 of /blob in a fresh child of the committed PARENT, or an error.
blob_in() {
    local dev sum
    dev=$(C prepare "check-$1" "$1" | awk '{ print $2 }') && mount -o nodiscard,ro "$dev" /mnt/h || return 1
    sum=$(md5sum /mnt/h/blob | awk '{ print $1 }'); umount /mnt/h; C remove "check-$1" >/dev/null; echo "$sum"
}
mkdir -p /mnt/h
sum=$(blob_in done-c 2>&1)
check "a snapshot committed before the power-off is intact" bash -c "[[ \$sum == \$(cat $WORK/done.md5) ]] || { echo \"\$sum\"; false; }"
# The cut commit: "half" is still an active snapshot with its data, and committing it again works.
dev=$(C mounts half | awk '{ print $2 }')
got=$(mount -o nodiscard,ro "$dev" /mnt/h 2>&1 && md5sum /mnt/h/blob | awk '{ print $1 }'; umount /mnt/h 2>/dev/null)
out=$(C commit half-c half 2>&1) && sum=$(blob_in half-c 2>&1)
check "a commit cut by the power-off leaves the snapshot active with its data, and it commits again" bash -c "[[ \$got == \$(cat $WORK/half.md5) && \$sum == \$got ]] || { echo \"got=\$got commit: \$out sum: \$sum\"; false; }"
C remove half-c >/dev/null; C remove done-c >/dev/null
check "data written before the power-off is there after the next boot, through the daemon's cache" bash -c "[[ \$(md5sum /mnt/s/hot | awk '{ print \$1 }') == \$(cat $WORK/hot.md5) ]]"

# --- recover with the cache: the daemon stopped, the pool taken down with the blocks dirty since
# the power-off still dirty (the origin under them stale: checked through a pool over the origin
# alone), recover rebuilds the cache itself and reads the data written before the power-off through it.
out=$(S pool deactivate 2>&1); rc=$?
check "pool deactivate refuses while a snapshot is mounted, naming it, and removes nothing" bash -c "[[ $rc == 1 && \$out == *'still open'*mogu-snap-* ]] && dmsetup info mogu >/dev/null 2>&1 && dmsetup table mogu-data | grep -q ' cache ' && mountpoint -q /mnt/s || { echo \"\$out\"; dmsetup ls; false; }"
umount /mnt/s
stop_daemon
pool_down; down_rc=$?
dirty_down=$(awk '$3 == "cache" { print $14 }' $WORK/status.down)
cp $WORK/tables.down $WORK/tables.down.1; cp $WORK/status.down $WORK/status.down.1
stale=$(stale_hot $WORK/tables.down 2>>$WORK/stale.err); stale_rc=$?
echo "taken down for recover, hot on the origin alone: $stale (rc $stale_rc; written: $(cat $WORK/hot.md5))" >>$WORK/stale.err
dm_left >/dev/null; left=$?
out=$($B --config $WORK/wb.toml recover --key work --mount /mnt/r 2>&1); rc=$?
got=$(md5sum /mnt/r/hot 2>&1 | awk '{ print $1 }')
check "recover on the pool taken down dirty rebuilds the cache itself and reads data written before the power-off through it" bash -c "[[ $hold_rc == 0 && $down_rc == 0 && $left == 0 && $stale_rc == 0 && \${dirty_down:-0} -gt 0 && \$stale != \$(cat $WORK/hot.md5) ]] || { echo threshold set: rc $hold_rc, taken down: rc $down_rc, devices left $left, hot on the origin alone \$stale rc $stale_rc, \$(cat $WORK/status.down); false; } && [[ $rc == 0 && \$out == *'mounted read-only on /mnt/r'* ]] && cache_under_pool && [[ \$got == \$(cat $WORK/hot.md5) ]] || { echo \"recover: \$out; hot: \$got\"; false; }"
list=$($B --config $WORK/wb.toml recover --list 2>&1)
out=$($B --config $WORK/wb.toml recover --release --mount /mnt/r 2>&1); rc=$?
check "recover --list names the snapshot and --release drops its device, the cache in place" bash -c "awk '\$4 == \"work\" { f = 1 } END { exit !f }' <<<\"\$list\" && [[ $rc == 0 ]] && ! mountpoint -q /mnt/r && ! dmsetup ls | grep -q '^mogu-recover-' && dmsetup table mogu-data | grep -q ' cache ' || { echo \"list: \$list; release: \$out\"; dmsetup ls; false; }"

# --- pool activate on the pool taken down again
pool_down; down_rc=$?
dm_left >/dev/null; left=$?
S pool activate >$WORK/activate.out 2>&1; rc=$?
check "pool activate rebuilds the cache first (writeback, no discard passdown, its blocks from before)" bash -c "[[ $down_rc == 0 && $left == 0 && $rc == 0 ]] && cache_under_pool && cache_use_ok 1 || { cat $WORK/activate.out; false; }"
tier=$(tier_line)
check "mogu check judges the cache tier: OK, writeback, with its use and hits" bash -c "[[ \$tier == OK\|writeback,\ policy\ smq,*read\ hits* ]] || { echo \"\$tier\"; cat $WORK/check.json; false; }"
start_daemon || { fail "the daemon starts again on the active pool" "$(cat $WORK/daemon.$PHASE.log)"; exit 1; }
pass "the daemon starts again on the active pool"
dev=$(C mounts work | awk '{ print $2 }')
mount -o nodiscard "$dev" /mnt/s

# --- detach while a container writes: the pool, the mount and the container stay, every write is there
# The writer rewrites 32 files in turn (8 MiB), each fsync'd, its checksum kept beside it, and its
# count of writes in /progress (renamed into place: never read empty): it writes for as long as detach takes without filling the 64 MiB volume.
rm -f /mnt/s/stop /mnt/s/w.* /mnt/s/sum.* /mnt/s/count /mnt/s/progress*
dd if=/dev/urandom of=/mnt/s/warm bs=1M count=4 status=none conv=fsync
in_container writer 'cd / && n=0; while [ ! -e stop ]; do s=$((n % 32))
    dd if=/dev/urandom of=w.$s bs=262144 count=1 conv=fsync status=none && md5sum w.$s >sum.$s ||
        { echo "write $n failed at $(date +%s)"; exit 1; }; n=$((n + 1)); echo $n >progress.new && mv progress.new progress; done; echo $n >count' &
writer=$!
sleep 3
# Dirty blocks for detach to flush: warm read until smq promotes it, then rewritten in place (up to
# five rounds, as in phase 1). The writer's fsyncs (flushes, sent to the origin) keep the cache
# from being idle, so smq does not write them back before detach starts.
for _ in 1 2 3 4 5; do
    dd if=/mnt/s/warm of=/dev/null bs=64k iflag=direct status=none
    head -c 4M /dev/urandom >/run/warm.data
    dd if=/run/warm.data of=/mnt/s/warm bs=1M status=none conv=notrunc,fsync oflag=direct
    dmsetup status mogu-data >$WORK/status.before-detach 2>&1
    dirty_pre=$(awk '$3 == "cache" { print $14 }' $WORK/status.before-detach)
    (( ${dirty_pre:-0} > 0 )) && break
done
n0=$(cat /mnt/s/progress 2>/dev/null); t0=$(date +%s.%N)
S pool cache detach 2>&1 | while IFS= read -r l; do echo "$(date +%s.%N) $l"; done >$WORK/detach.out; rc=${PIPESTATUS[0]}
n1=$(cat /mnt/s/progress 2>/dev/null); t1=$(date +%s.%N)
sleep 1; touch /mnt/s/stop; wait $writer; writer_rc=$?
(( writer_rc == 0 )) || dmesg >$WORK/writer.dmesg
warm_md5=$(md5sum </run/warm.data | awk '{ print $1 }')
sync; echo 3 >/proc/sys/vm/drop_caches
first_flush=$(sed -n 's/^[0-9.]* flushing: \([0-9]*\) dirty block.*/\1/p' $WORK/detach.out | head -1)
check "the cache holds dirty blocks when detach starts" bash -c "(( \${dirty_pre:-0} > 0 && \${first_flush:-0} > 0 )) || { echo dirty before: \$dirty_pre, first flush line: \$first_flush; cat $WORK/status.before-detach $WORK/detach.out; false; }"
check "the container keeps writing while detach flushes" bash -c "(( \${n0:-0} > 0 && \${n1:-0} > \${n0:-0} )) || { echo writes: \$n0 before detach, \$n1 after, detach took \$(awk \"BEGIN { print $t1 - $t0 }\") s; cat $WORK/detach.out; false; }"
check "detach flushes and puts the origin back while a container writes" bash -c "[[ $rc == 0 ]] && dmsetup table mogu-data | grep -q ' linear ' && ! dmsetup info mogu-cmeta >/dev/null 2>&1 && [[ ! -e $WORK/root/cache.layout ]] || { cat $WORK/detach.out; false; }"
check "the container's files and the earlier data are intact after detach" bash -c "[[ $writer_rc == 0 ]] && cd /mnt/s && cat sum.* | md5sum -c --quiet && (( \$(cat count) > 2 )) && [[ \$(md5sum hot | awk '{ print \$1 }') == \$(cat $WORK/hot.md5) && \$(md5sum warm | awk '{ print \$1 }') == \$warm_md5 ]] || { echo writer exit $writer_rc; cat $WORK/writer.out; false; }"
echo "writes: $n0 before detach, $n1 after; detach from $t0 to $t1" >>$WORK/detach.out
tier=$(tier_line)
check "mogu check says the cache tier is detached" bash -c "[[ \$tier == OK\|detached:* ]] || { echo \"\$tier\"; false; }"
out=$(S pool cache detach 2>&1)
check "detaching a pool without a cache says so" bash -c "[[ \$out == *'has no cache attached'* ]]"

# --- attach to the running pool (still mounted, daemon up)
S pool cache attach >$WORK/attach.out 2>&1; rc=$?
check "attach puts a cache under the running pool (writeback, no discard passdown)" bash -c "[[ $rc == 0 ]] && cache_under_pool && cache_use_ok 0 && mountpoint -q /mnt/s || { cat $WORK/attach.out; false; }"
before=$(read_hits)
in_container reader2 'for i in 1 2 3 4 5 6 7 8; do dd if=/hot of=/dev/null bs=64k iflag=direct 2>/dev/null || exit 1; done'
rc=$?
after=$(read_hits)
check "the attached cache counts a container's reads as hits" bash -c "(( $rc == 0 && $after > ${before:-0} )) || { echo rc=$rc before=$before after=$after; cat $WORK/reader2.out; false; }"
out=$(S pool cache attach 2>&1)
check "attaching a second cache is refused" bash -c "[[ \$out == *'already has a cache'* ]]"

# --- clean-up: everything goes, the fast device can be used again
umount /mnt/s
C remove work
stop_daemon
S pool destroy >$WORK/destroy.out 2>&1
check "pool destroy removes the pool and its cache devices" bash -c "dm_left && [[ ! -e $WORK/root/cache.layout ]] || cat $WORK/destroy.out"
dmsetup remove slow
echo done >$WORK/phase2.done
