#!/bin/bash
# Runs inside the guest (bench/snapshotter.sh boots it). containerd 1.6 with two snapshotters on
# pools of the same size: mogu-snapshotter (proxy plugin) and containerd's built-in devmapper
# (which runs the dmsetup binary for each step). Times Prepare, Commit, Remove through ctr, and a
# container start (ctr run --rm) on a thin snapshot, and prints medians side by side.
set -euo pipefail
export DM_DISABLE_UDEV=1
IMAGE=$1 N=${BENCH_ROUNDS:-5}
B=$MOGU_BIN/mogu-snapshotter
modprobe dm-thin-pool
W=/run/bench; mkdir -p $W
cat >$W/snap.toml <<T
pool_name = "mogu"
root_path = "$W/snap-root"
address = "$W/snap.sock"
base_image_size = "128MB"
data_device = "/dev/disk/by-id/virtio-data1"
metadata_device = "/dev/disk/by-id/virtio-meta1"
T
$B --config $W/snap.toml pool create >/dev/null
# containerd's devmapper pool, made as its docs do (dmsetup), with the same size and no discard.
data2=$(readlink -f /dev/disk/by-id/virtio-data2) meta2=$(readlink -f /dev/disk/by-id/virtio-meta2)
dd if=/dev/zero of="$meta2" bs=4096 count=1 status=none
sectors=$(blockdev --getsz "$data2")
dmsetup create ctrd-pool --table "0 $sectors thin-pool $meta2 $data2 128 $((sectors / 128 / 10)) 1 ignore_discard"
cat >$W/containerd.toml <<T
version = 2
root = "$W/containerd-root"
state = "$W/containerd-state"
[grpc]
  address = "$W/containerd.sock"
[proxy_plugins.mogu]
  type = "snapshot"
  address = "$W/snap.sock"
[plugins."io.containerd.snapshotter.v1.devmapper"]
  pool_name = "ctrd-pool"
  root_path = "$W/devmapper"
  base_image_size = "128MB"
  discard_blocks = false
T
$B --config $W/snap.toml serve >$W/snap.log 2>&1 &
containerd --config $W/containerd.toml >$W/containerd.log 2>&1 &
for _ in $(seq 150); do [[ -S $W/snap.sock && -S $W/containerd.sock ]] && break; sleep 0.1; done
sleep 1
ctr() { command ctr -a $W/containerd.sock "$@"; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A result
for sn in mogu devmapper; do
    ctr images import --snapshotter $sn --base-name docker.io/mogu/busybox "$IMAGE" >/dev/null
    # The image's top layer: the committed snapshot nobody else has as parent.
    top=$(ctr snapshots --snapshotter $sn ls | awk 'NR > 1 && $3 == "Committed" { c[$1] = 1; p[$2] = 1 } END { for (k in c) if (!(k in p)) print k }')
    : >$W/p; : >$W/c; : >$W/r; : >$W/run
    for i in $(seq $N); do
        t=$(date +%s%N); ctr snapshots --snapshotter $sn prepare "k$i" "$top" >/dev/null; ms $t >>$W/p
        t=$(date +%s%N); ctr snapshots --snapshotter $sn commit "c$i" "k$i"; ms $t >>$W/c
        t=$(date +%s%N); ctr snapshots --snapshotter $sn rm "c$i"; ms $t >>$W/r
        t=$(date +%s%N); ctr run --rm --snapshotter $sn docker.io/mogu/busybox:latest "b$i" /bin/true; ms $t >>$W/run
    done
    for op in p c r run; do result[$sn.$op]=$(median <$W/$op); done
    ctr images rm docker.io/mogu/busybox:latest >/dev/null
done
printf '%-22s %12s %16s %10s\n' "operation (median of $N)" "mogu (ms)" "devmapper (ms)" "ratio"
for op in p c r run; do
    case $op in p) name="prepare";; c) name="commit";; r) name="remove";; run) name="ctr run --rm (start)";; esac
    m=${result[mogu.$op]} d=${result[devmapper.$op]}
    printf '%-22s %12s %16s %9sx\n' "$name" "$m" "$d" "$(awk -v d="$d" -v m="$m" 'BEGIN { printf "%.2f", (m > 0 ? d / m : 0) }')"
done
echo "ratio: devmapper time / mogu time (above 1: mogu is faster). Each ctr call costs ~200 ms of process start under TCG."
