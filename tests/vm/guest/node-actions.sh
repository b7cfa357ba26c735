#!/bin/bash
# Runs inside a pure cgroup v2 guest (tests/vm/suites/node.sh boots it): the actions of the
# mogu check / mogu tune suite, in order, each one's output and exit status saved under $1 (a
# read-write share) for the host to judge. Nothing here asserts; the suite does.
#   disks: data (256M) and meta (16M) for a healthy pool, data2 (64M) and meta2 (8M) for a full one
set -uo pipefail
out=$1
M=$MOGU_BIN/mogu
export DM_DISABLE_UDEV=1
keys=(vm.dirty_ratio vm.dirty_background_ratio vm.dirty_expire_centisecs vm.dirty_writeback_centisecs vm.min_free_kbytes
      kernel.pid_max kernel.threads-max fs.file-max fs.inotify.max_user_instances fs.inotify.max_user_watches fs.aio-max-nr
      vm.max_map_count net.core.somaxconn net.ipv4.ip_local_port_range net.netfilter.nf_conntrack_max)
# snapshot NAME: every profile key's value, the sysctl.d file and the saved copy, as one file.
snapshot() {
    local k f
    for k in "${keys[@]}"; do
        f=/proc/sys/${k//.//}
        if [[ -e $f ]]; then echo "$k=$(tr '\t' ' ' <"$f")"; else echo "$k=absent"; fi
    done
    echo "conf: $(cat /etc/sysctl.d/90-mogu.conf 2>/dev/null | md5sum | cut -c1-8) $([[ -e /etc/sysctl.d/90-mogu.conf ]] && echo present || echo absent)"
    echo "saved: $([[ -e /var/lib/mogu/tune/saved.json ]] && echo present || echo absent)"
} 
# step NAME COMMAND...: stdout to NAME.out, stderr to NAME.err, status to NAME.rc
step() {
    local n=$1 t=$EPOCHREALTIME; shift
    "$@" >"$out/$n.out" 2>"$out/$n.err"; echo $? >"$out/$n.rc"
    echo "$n $(bc <<<"$EPOCHREALTIME - $t" 2>/dev/null)" >>"$out/times"
}

# --- check, before any device-mapper module is loaded, with and without the kernel's config
step nodm $M check --format json
step noconfig unshare -m sh -c "mount -t tmpfs none /boot && exec $M check --format json"
step noconfig-text unshare -m sh -c "mount -t tmpfs none /boot && exec $M check"

# --- device-mapper loaded; a healthy pool, an over-provisioned one, a full one without ignore_discard
modprobe dm-thin-pool && modprobe dm-cache
step dm $M check --format json
d=/dev/disk/by-id
dmsetup create pool --table "0 524288 thin-pool $d/virtio-meta $d/virtio-data 128 32768 1 ignore_discard"
dmsetup message pool 0 "create_thin 0"
dmsetup create thin0 --table "0 262144 thin /dev/mapper/pool 0"
printf 'pool_name = "pool"\nroot_path = "/run/snap"\n' >/run/pool.toml
# The snapshotter's database, as its metadata.cpp lays it out: a 128 MiB snapshot and a 64 MiB base.
mkdir -p /run/snap
sqlite3 /run/snap/metadata.db "CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
  CREATE TABLE snapshots (key TEXT PRIMARY KEY, parent TEXT NOT NULL, kind INTEGER NOT NULL, state TEXT NOT NULL,
    device_id INTEGER NOT NULL UNIQUE, size INTEGER NOT NULL, usage INTEGER NOT NULL, created INTEGER NOT NULL,
    updated INTEGER NOT NULL, labels TEXT NOT NULL);
  INSERT INTO meta VALUES ('base_size', '67108864');
  INSERT INTO snapshots VALUES ('a', '', 1, 'active', 0, 134217728, 0, 0, 0, '{}');"
step pool-good $M check --format json --snapshotter-config /run/pool.toml
# Devices the database commits but that are not active count too.
sqlite3 /run/snap/metadata.db "INSERT INTO snapshots VALUES ('b', 'a', 2, 'committed', 5, 134217728, 0, 0, 0, '{}');"
step pool-dbover $M check --format json --snapshotter-config /run/pool.toml
sqlite3 /run/snap/metadata.db "DELETE FROM snapshots WHERE key = 'b';"
dmsetup message pool 0 "create_thin 1"
dmsetup create thin1 --table "0 524288 thin /dev/mapper/pool 1"
step pool-over $M check --format json --snapshotter-config /run/pool.toml
dmsetup create pool2 --table "0 131072 thin-pool $d/virtio-meta2 $d/virtio-data2 128 32768 0"
dmsetup message pool2 0 "create_thin 0"
dmsetup create thin2 --table "0 131072 thin /dev/mapper/pool2 0"
dd if=/dev/zero of=/dev/mapper/thin2 bs=1M count=59 oflag=direct status=none
printf 'pool_name = "pool2"\nlow_water_mark_percent = 90\n' >/run/pool2.toml
step pool-full $M check --format json --snapshotter-config /run/pool2.toml
printf 'pool_name = 7\n' >/run/bad.toml
step pool-badconfig $M check --format json --snapshotter-config /run/bad.toml
dmsetup remove thin2; dmsetup remove pool2; dmsetup remove thin1; dmsetup remove thin0; dmsetup remove pool

# --- tune: an administrator's file is there first; bad input changes nothing
mkdir -p /etc/sysctl.d
echo "# the administrator's own settings" >/etc/sysctl.d/90-mogu.conf
snapshot >"$out/before.snap"
step dryrun $M tune --profile dense --dry-run
snapshot >"$out/after-dryrun.snap"
step badprofile $M tune --profile nosuch
step readonly unshare -m sh -c "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec $M tune --profile dense"
step nobody setpriv --reuid=65534 --regid=65534 --clear-groups $M tune --profile dense
step norevert $M tune --revert
snapshot >"$out/after-bad.snap"

# --- dense, then festival on top, then revert to what was there before dense
step dense $M tune --profile dense
snapshot >"$out/after-dense.snap"
cp /etc/sysctl.d/90-mogu.conf "$out/dense.conf"
step check-dense $M check --format json
# nf_conntrack loaded now, so festival has a value to write that dense had to leave commented out
# (its key does not exist before the module is loaded); revert then restores the module's default.
grep MemTotal /proc/meminfo >"$out/meminfo"
step conntrack modprobe nf_conntrack
snapshot >"$out/after-conntrack.snap"
step festival $M tune --profile festival
snapshot >"$out/after-festival.snap"
cp /etc/sysctl.d/90-mogu.conf "$out/festival.conf"
step revert $M tune --revert
snapshot >"$out/after-revert.snap"
step revert-again $M tune --revert
exit 0
