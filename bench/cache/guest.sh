#!/bin/bash
# Runs inside the guest (bench/cache.sh boots it): a slow data disk (dm-delay, 2 ms per read and
# write, as a busy spinning disk), a fast cache disk, a metadata disk. mogu-snapshotter's pool on a
# writethrough cache; a 64 MiB file on a thin snapshot is read at random (4 KiB, direct I/O,
# fio) once to warm the cache, then measured; then `pool cache detach` and the same reads are
# measured on the bare slow origin. Prints IOPS and mean latency side by side, the ratio, and the
# cache's read hit rate during the measured run.
set -euo pipefail
export DM_DISABLE_UDEV=1
SECONDS_PER_RUN=${BENCH_CACHE_SECONDS:-20}
B=$MOGU_BIN/mogu-snapshotter
W=/run/bench-cache; mkdir -p $W /mnt/b
for m in dm-thin-pool dm-cache dm-cache-smq dm-delay; do modprobe $m; done
DATA=/dev/disk/by-id/virtio-data FAST=/dev/disk/by-id/virtio-fast META=/dev/disk/by-id/virtio-meta
dmsetup create slow --table "0 $(blockdev --getsz $DATA) delay $DATA 0 2 $DATA 0 2"
cat >$W/snap.toml <<T
pool_name = "mogu"
root_path = "$W/root"
address = "$W/snap.sock"
base_image_size = "256MiB"
data_device = "/dev/mapper/slow"
metadata_device = "$META"
cache_device = "$FAST"
cache_mode = "writethrough"
cache_block_size = "64KiB"
T
S() { $B --config $W/snap.toml "$@"; }
S pool create >/dev/null
S serve >$W/daemon.log 2>&1 &
daemon=$!
for _ in $(seq 100); do [[ -S $W/snap.sock ]] && break; sleep 0.1; done
dev=$(S snapshots prepare bench | awk '{ print $2 }')
mount -o nodiscard "$dev" /mnt/b
fio --name=fill --filename=/mnt/b/data --size=64M --rw=write --bs=1M --direct=1 --output=/dev/null
hits() { S pool status | sed -n 's|^cache reads: \([0-9]*\) hits, \([0-9]*\) misses.*|\1 \2|p'; }
# randread LABEL: IOPS and mean completion latency (µs) of a time-based random read run.
randread() {
    fio --name="$1" --filename=/mnt/b/data --size=64M --rw=randread --bs=4k --direct=1 --ioengine=psync \
        --runtime="$SECONDS_PER_RUN" --time_based --randrepeat=1 --output-format=json --output=$W/$1.json
    jq -r '.jobs[0].read | "\(.iops | floor) \(.clat_ns.mean / 1000 | floor)"' $W/$1.json
}
randread warm >/dev/null
read -r h0 m0 <<<"$(hits)"
read -r iops_cached lat_cached <<<"$(randread cached)"
read -r h1 m1 <<<"$(hits)"
S pool cache detach >/dev/null
read -r iops_slow lat_slow <<<"$(randread origin)"
hit_rate=$(( (h1 - h0) * 100 / ((h1 - h0) + (m1 - m0) > 0 ? (h1 - h0) + (m1 - m0) : 1) ))
printf '%-34s %10s %14s\n' "random 4 KiB reads, ${SECONDS_PER_RUN} s each" "IOPS" "mean lat (µs)"
printf '%-34s %10s %14s\n' "pool on the SSD cache (warm)" "$iops_cached" "$lat_cached"
printf '%-34s %10s %14s\n' "pool on the slow origin alone" "$iops_slow" "$lat_slow"
awk -v a="$iops_cached" -v b="$iops_slow" 'BEGIN { printf "cache / origin IOPS: %.2fx\n", (b > 0 ? a / b : 0) }'
echo "cache read hit rate during the measured run: ${hit_rate}% ($((h1 - h0)) hits, $((m1 - m0)) misses)"
umount /mnt/b
S snapshots remove bench >/dev/null
kill $daemon; wait $daemon 2>/dev/null || true
S pool destroy >/dev/null
dmsetup remove slow
