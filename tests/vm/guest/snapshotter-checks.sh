#!/bin/bash
# Runs inside the guest (tests/vm/suites/snapshotter.sh boots it): drives mogu-snapshotter on a
# real thin pool over two virtio disks and prints TAP.
set -uo pipefail
. "$MOGU_SRC/tests/vm/lib/tap.sh"
export DM_DISABLE_UDEV=1
B=$MOGU_BIN/mogu-snapshotter
modprobe dm-thin-pool || { echo "Bail out! no dm-thin-pool"; exit 1; }
W=/run/snaptest; mkdir -p $W /mnt/s
cfg=$W/snap.toml
cat >$cfg <<T
pool_name = "mogu"
root_path = "$W/root"
address = "$W/snap.sock"
base_image_size = "64MiB"
data_device = "/dev/disk/by-id/virtio-data"
metadata_device = "/dev/disk/by-id/virtio-meta"
reserve = "128MiB"
T
S() { $B --config $cfg "$@"; }
C() { $B --config $cfg snapshots "$@"; }
daemon_pid=""
start_daemon() {  # [env...]: starts the daemon, waits for its socket
    rm -f $W/snap.sock
    env "$@" $B --config $cfg serve >>$W/daemon.log 2>&1 &
    daemon_pid=$!
    for _ in $(seq 100); do [[ -S $W/snap.sock ]] && return 0; kill -0 $daemon_pid 2>/dev/null || return 1; sleep 0.1; done
    return 1
}
stop_daemon() { [[ -n $daemon_pid ]] && kill $daemon_pid 2>/dev/null; wait $daemon_pid 2>/dev/null; daemon_pid=""; }
dev_of() { C mounts "$1" | awk '{ print $2 }'; }
used_blocks() { S pool status | sed -n 's|^data: .*, \([0-9]*\)/.*|\1|p'; }
committed() { S pool status | sed -n 's|^committed: \([0-9]*\) .*|\1|p'; }
tap_plan 25

# --- pool
echo '[broken' >$W/bad.toml
out=$($B --config $W/bad.toml pool status 2>&1); rc=$?
tap_check "a malformed config is refused naming the file" bash -c "[[ $rc == 1 && '$out' == *bad.toml* ]]"
sed 's|virtio-data|virtio-nothere|' $cfg >$W/missing.toml
out=$($B --config $W/missing.toml pool create 2>&1); rc=$?
tap_check "a missing data device is refused naming the key and path" bash -c "[[ $rc == 1 && '$out' == *data_device*virtio-nothere* ]] && ! dmsetup info mogu >/dev/null 2>&1"
S pool create >/dev/null
tap_check "pool create makes a thin-pool with ignore_discard" bash -c "dmsetup table mogu | grep -q 'thin-pool.* ignore_discard'"
out=$(S pool create 2>&1); rc=$?
tap_check "creating an existing pool fails clearly" bash -c "[[ $rc == 1 && '$out' == *'already exists'* ]]"

start_daemon || { tap_not_ok "daemon starts" "$(cat $W/daemon.log)"; tap_skip_rest "daemon did not start"; exit 1; }
tap_ok "the daemon starts and makes the base device"

# --- snapshot chain
m=$(C prepare a); dev=$(awk '{ print $2 }' <<<"$m")
tap_check "prepare returns an ext4 mount with nodiscard" bash -c "[[ '$m' == 'ext4 /dev/mapper/mogu-snap-'*' nodiscard' ]]"
majmin=$(printf '%d:%d' "0x$(stat -L -c %t "$dev")" "0x$(stat -L -c %T "$dev")")
tap_check "thin devices do not accept discard" test "$(cat /sys/dev/block/$majmin/queue/discard_max_bytes 2>&1)" = 0
mount -o nodiscard "$dev" /mnt/s && echo parent >/mnt/s/f && umount /mnt/s
C commit c1 a
m=$(C prepare b c1); devb=$(awk '{ print $2 }' <<<"$m")
mount -o nodiscard "$devb" /mnt/s; got=$(cat /mnt/s/f); echo child >/mnt/s/f; echo new >/mnt/s/g; umount /mnt/s
tap_check "files written in a parent are seen in the child" test "$got" = parent
m=$(C view v c1); devv=$(awk '{ print $2 }' <<<"$m")
mount -o ro,nodiscard "$devv" /mnt/s; got=$(cat /mnt/s/f); [[ -e /mnt/s/g ]] && got="$got+g"; umount /mnt/s
tap_check "writes in the child do not reach the parent" test "$got" = parent
tap_check "a view's mount is read-only" bash -c "[[ '$m' == *nodiscard,ro ]]"

# --- bad requests
out=$(C prepare b c1 2>&1); tap_check "preparing an existing key fails: already exists" bash -c "[[ '$out' == *'already exists'* ]]"
out=$(C prepare x nosuch 2>&1); tap_check "a missing parent fails: not found" bash -c "[[ '$out' == *'parent snapshot nosuch does not exist'* ]]"
out=$(C prepare x b 2>&1); tap_check "an active parent fails: not committed" bash -c "[[ '$out' == *'is not committed (it is active)'* ]]"
out=$(C remove nosuch 2>&1); tap_check "removing a missing key fails: not found" bash -c "[[ '$out' == *'does not exist'* ]]"
out=$(C remove c1 2>&1); tap_check "removing a parent with children fails" bash -c "[[ '$out' == *'child snapshot'* ]]"
mount -o nodiscard "$devb" /mnt/s
out=$(C remove b 2>&1); still=$(C stat b 2>&1 | head -1)
umount /mnt/s
tap_check "removing a mounted snapshot is retried, then fails clearly and keeps it" bash -c "[[ '$out' == *'still in use'* && '$still' == 'name: b' ]]"

# --- space: remove frees it; no over-provisioning at the exact limit
C remove v; C remove b
before=$(used_blocks)
m=$(C prepare big c1); mount -o nodiscard "$(awk '{ print $2 }' <<<"$m")" /mnt/s
dd if=/dev/urandom of=/mnt/s/blob bs=1M count=24 status=none; sync; umount /mnt/s
during=$(used_blocks); C remove big; after=$(used_blocks)
tap_check "remove gives the blocks back to the pool" bash -c "(( $during > $before + 300 && $after <= $before + 4 )) || { echo before=$before during=$during after=$after; false; }"
# 1 GiB data - 128 MiB reserve = 896 MiB = base + c1 + 12 more 64 MiB devices.
n=0; while C prepare "fill$n" c1 >/dev/null 2>$W/fill.err; do n=$((n + 1)); done
cm=$(committed)
tap_check "prepare succeeds up to the exact limit" bash -c "[[ $n == 12 && $cm == $((896 << 20)) ]] || { echo n=$n committed=$cm; false; }"
tap_check "past the limit prepare fails with committed and free amounts" grep -q 'no room for another 64.0 MiB thin device without over-provisioning: 896.0 MiB is committed to 14 device(s), 896.0 MiB may be.*0 B is free' $W/fill.err
for i in $(seq 0 $((n - 1))); do C remove "fill$i"; done

# --- crashes: the daemon dies in the middle of Prepare and of Remove
stop_daemon
start_daemon MOGU_FAILPOINT=prepare-after-snap:kill
C prepare crash1 c1 >/dev/null 2>&1; wait $daemon_pid; daemon_pid=""
start_daemon
C stat crash1 >/dev/null 2>&1 && st=present || st=gone
tap_check "after a crash in Prepare, start-up removes the half-made snapshot" bash -c "grep -q 'repaired: half-made snapshot crash1' $W/daemon.log && [[ $st == gone ]] || { tail -5 $W/daemon.log; false; }"
C prepare r1 c1 >/dev/null
stop_daemon
start_daemon MOGU_FAILPOINT=remove-after-deactivate:kill
C remove r1 >/dev/null 2>&1; wait $daemon_pid; daemon_pid=""
start_daemon
C stat r1 >/dev/null 2>&1 && st=present || st=gone
tap_check "after a crash in Remove, start-up finishes the removal" bash -c "grep -q 'repaired: interrupted removal of device' $W/daemon.log && [[ $st == gone ]] || { tail -5 $W/daemon.log; false; }"
orphans=$(S recover --list | awk 'NR > 1 && $3 == "-"' | wc -l)
tap_check "no thin device is left without a row" test "$orphans" = 0

# --- recovery with the daemon and the database gone, and the pool down (a host that died)
m=$(C prepare keep c1); devk=$(awk '{ print $2 }' <<<"$m"); id=${devk##*-}
mount -o nodiscard "$devk" /mnt/s; echo "precious $id" >/mnt/s/data; umount /mnt/s
kill -9 $daemon_pid; wait $daemon_pid 2>/dev/null; daemon_pid=""
rm -f $W/root/metadata.db
for d in $(dmsetup ls | awk '/^mogu-snap-/ { print $1 }'); do dmsetup remove "$d"; done; dmsetup remove mogu
S recover --device-id "$id" --mount /mnt/rec >$W/rec.out 2>&1
got=$(cat /mnt/rec/data 2>&1); ro=$(touch /mnt/rec/x 2>&1)
tap_check "recover mounts a device read-only from the pool metadata alone" bash -c "[[ '$got' == 'precious $id' && '$ro' == *'Read-only file system'* ]]"
S recover --release --mount /mnt/rec >/dev/null 2>&1
tap_check "recover --release unmounts and drops the device" bash -c "! mountpoint -q /mnt/rec && ! dmsetup info mogu-recover-$id >/dev/null 2>&1"
out=$($B --config $cfg serve 2>&1); rc=$?
S recover --list | grep -q "^$id " && kept=yes || kept=no
tap_check "the daemon refuses to start on a lost database, changing nothing" bash -c "[[ $rc == 1 && '$out' == *'was the database lost'* && $kept == yes ]]"
tap_done
