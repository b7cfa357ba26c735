#!/bin/bash
# Runs inside the guest (tests/vm/suites/snapshotter-containerd.sh boots it): containerd 1.6 with
# mogu-snapshotter as a proxy snapshot plugin imports a multi-layer image onto thin devices and
# runs a container on it with runc, then restarts the snapshotter (SIGTERM, as an upgrade does, and
# SIGKILL, as a crash does) under a running container. Prints TAP.
set -uo pipefail
. "$MOGU_SRC/tests/vm/lib/tap.sh"
export DM_DISABLE_UDEV=1
B=$MOGU_BIN/mogu-snapshotter
IMAGE=$1
modprobe dm-thin-pool
W=/run/ctrtest; mkdir -p $W
cat >$W/snap.toml <<T
pool_name = "mogu"
root_path = "$W/snap-root"
address = "$W/snap.sock"
base_image_size = "128MiB"
data_device = "/dev/disk/by-id/virtio-data"
metadata_device = "/dev/disk/by-id/virtio-meta"
T
# containerd's own state on tmpfs (/run), not on the guest's overlay root.
cat >$W/containerd.toml <<T
version = 2
root = "$W/containerd-root"
state = "$W/containerd-state"
[grpc]
  address = "$W/containerd.sock"
[proxy_plugins.mogu]
  type = "snapshot"
  address = "$W/snap.sock"
T
# Each ctr call is bounded: a call that hangs fails its check with rc 124 and the daemons' last log
# lines, instead of holding the guest until run-in-guest's --timeout kills it without a word.
ctr() { timeout --kill-after=5 240 ctr -a $W/containerd.sock "$@"; }
daemon_logs() { echo "-- snapshotter:"; tail -n 15 $W/snap.log; echo "-- containerd:"; tail -n 15 $W/containerd.log; }
export W; export -f daemon_logs  # the checks run in bash -c
tap_plan 9
$B --config $W/snap.toml pool create >/dev/null
$B --config $W/snap.toml serve >$W/snap.log 2>&1 &
snap_pid=$!
# restart_snapshotter SIGNAL: stops the daemon with SIGNAL, starts it again over the same pool and
# waits (up to 30 s) until containerd reaches it through its proxy again.
restart_snapshotter() {
    kill -"$1" $snap_pid; wait $snap_pid 2>/dev/null
    echo "-- restarted after SIG$1" >>$W/snap.log
    $B --config $W/snap.toml serve >>$W/snap.log 2>&1 &
    snap_pid=$!
    for _ in $(seq 60); do ctr snapshots --snapshotter mogu ls >/dev/null 2>&1 && return 0; sleep 0.5; done
    return 1
}
containerd --config $W/containerd.toml >$W/containerd.log 2>&1 &
ctrd_pid=$!
for _ in $(seq 150); do [[ -S $W/snap.sock && -S $W/containerd.sock ]] && break; sleep 0.1; done
sleep 1

out=$(ctr images import --snapshotter mogu --base-name docker.io/mogu/busybox "$IMAGE" 2>&1); rc=$?
tap_check "ctr images import --snapshotter mogu unpacks the image" bash -c "[[ $rc == 0 ]] || { echo 'rc $rc: $out'; daemon_logs; false; }"
ctr snapshots --snapshotter mogu ls >$W/snaps 2>&1
layers=$(grep -c Committed $W/snaps)
tap_check "every layer is a committed thin snapshot" bash -c "(( $layers >= 2 )) || { cat $W/snaps; false; }"
out=$(ctr run --rm --snapshotter mogu docker.io/mogu/busybox:latest c1 /bin/sh -c 'echo hello from a thin device; grep " / " /proc/mounts' 2>&1); rc=$?
tap_check "a container runs on a thin snapshot with runc" bash -c "[[ $rc == 0 && '$out' == *'hello from a thin device'* ]] || { echo 'rc $rc: $out'; daemon_logs; false; }"
# ext4's default is nodiscard, which /proc/mounts does not print; "discard" must be absent.
root_line=$(grep ' / ' <<<"$out")
tap_check "its root is ext4 on a mogu thin device, without discard" bash -c "[[ '$root_line' == '/dev/mapper/mogu-snap-'*' / ext4 '* && '$root_line' != *discard* ]] || { echo '$out'; false; }"
# --- restarts under a running container: its filesystem stays mounted and writable throughout
ctr run -d --snapshotter mogu docker.io/mogu/busybox:latest c2 /bin/sh -c 'echo before >/written-here; sync; exec sleep 600' >$W/c2.out 2>&1
for _ in $(seq 40); do ctr task exec --exec-id ready c2 /bin/sh -c 'test -e /written-here' 2>/dev/null && break; sleep 0.5; done
for sig in TERM KILL; do
    restart_snapshotter $sig; rc=$?
    out=$(ctr task exec --exec-id after-$sig c2 /bin/sh -c "cat /written-here && echo after-$sig >>/written-here && sync && cat /written-here" 2>&1)
    state=$(ctr task ls 2>&1 | awk '$1 == "c2" { print $3 }')
    tap_check "a container keeps running and writing through a snapshotter restart (SIG$sig)" bash -c "[[ $rc == 0 && $state == RUNNING && '$out' == *before*after-$sig* ]] || { echo 'rc $rc state $state: $out'; cat $W/c2.out; daemon_logs; false; }"
done
out=$(ctr run --rm --snapshotter mogu docker.io/mogu/busybox:latest c3 /bin/cat /etc/hostname 2>&1); rc=$?
tap_check "the restarted snapshotter prepares a new container's snapshot" bash -c "[[ $rc == 0 ]] || { echo 'rc $rc: $out'; daemon_logs; false; }"
out=$(ctr task exec --exec-id last c2 cat /written-here 2>&1)
ctr task kill -s KILL c2 >/dev/null 2>&1
for _ in $(seq 40); do ctr task delete c2 >/dev/null 2>&1 && break; sleep 0.5; done
ctr containers rm c2 >/dev/null 2>&1
tap_check "the container's writes from before and between the restarts are all there" bash -c "[[ '$out' == \$'before\nafter-TERM\nafter-KILL' ]] || { echo '$out'; false; }"

# ctr's --rm removes the snapshot; when the runtime shim's unmount lags (a loaded machine under
# TCG), containerd's garbage collector removes it a moment later: wait for it, up to 10 s.
for _ in $(seq 20); do
    active=$($B --config $W/snap.toml snapshots list | grep -c active)
    [[ $active == 0 ]] && break
    sleep 0.5
done
tap_check "after ctr run --rm and removing the restarted container no active snapshot is left" test "$active" = 0
kill $ctrd_pid $snap_pid
for _ in $(seq 100); do kill -0 $ctrd_pid 2>/dev/null || kill -0 $snap_pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $ctrd_pid 2>/dev/null || kill -0 $snap_pid 2>/dev/null; then
    echo "# a daemon did not stop within 10 s of SIGTERM; killing it" >&2; daemon_logs >&2
    kill -9 $ctrd_pid $snap_pid 2>/dev/null
fi
wait
tap_done
