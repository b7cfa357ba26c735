#!/bin/bash
# Runs inside the guest (tests/vm/suites/monitor-thin-pool.sh boots it): a 64 MiB thin pool made
# with dmsetup, a thin volume larger than the pool written until the pool runs out of data space
# (error_if_no_space: writes fail at once instead of queueing), and mogu-monitor watching it: its
# series against `dmsetup status`, a rule on the pool's use firing, the kernel's out-of-data-space
# line counted. Prints TAP.
set -uo pipefail
. "$MOGU_SRC/tests/vm/lib/tap.sh"
export DM_DISABLE_UDEV=1
tap_plan 7
modprobe dm-thin-pool || { tap_skip_rest "the guest kernel has no dm-thin-pool module"; exit 0; }
W=/run/montest; mkdir -p $W
DATA=/dev/disk/by-id/virtio-data META=/dev/disk/by-id/virtio-meta
dd if=/dev/zero of=$META bs=4096 count=1 status=none
data_sectors=$(blockdev --getsz $DATA)
# 64 KiB blocks (128 sectors), low-water mark 0; one feature: error_if_no_space.
dmsetup create mtp --table "0 $data_sectors thin-pool $META $DATA 128 0 1 error_if_no_space"
dmsetup message mtp 0 "create_thin 1"
dmsetup create mtp-t1 --table "0 $((256 * 2048)) thin /dev/mapper/mtp 1"
dd if=/dev/urandom of=/dev/mapper/mtp-t1 bs=1M count=16 oflag=direct status=none

cat >$W/monitor.toml <<T
listen = "127.0.0.1:0"
interval = "200ms"
[containers]
roots = []
[host]
thin_pool = "mtp"
paths = []
daemons = []
[[rules]]
name = "ThinPoolNearlyFull"
metric = "mogu_host_thin_pool_data_used_bytes"
labels = { pool = "mtp" }
op = ">="
threshold = 50331648
for = "0s"
severity = "critical"
summary = "the thin pool is nearly out of data space"
[alerts]
log = "$W/alerts.jsonl"
T
$MOGU_BIN/mogu-monitor --config $W/monitor.toml </dev/null >$W/monitor.log 2>&1 &
mon=$!
url=
for _ in $(seq 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/metrics' $W/monitor.log | head -1)
    [[ -n $url ]] && curl -sf "$url" >/dev/null && break
    url=; sleep 0.1
done
if [[ -z $url ]]; then tap_not_ok "mogu-monitor starts" "$(cat $W/monitor.log)"; tap_skip_rest "mogu-monitor did not start"; exit 1; fi
series() { curl -sf --max-time 2 "$url" | awk -v m="$1" '$1 == m { print $2 }'; }
# dmsetup status: 0 SECTORS thin-pool TRANSACTION USED_META/TOTAL_META USED_DATA/TOTAL_DATA ... MODE ...
status_field() { dmsetup status mtp | awk -v f="$1" '{ print $f }'; }
wait_for() { local i; for i in $(seq 50); do eval "$1" && return 0; sleep 0.2; done; eval "$1"; }

used=$(status_field 6); used=${used%/*}
tap_check "the pool is read from device-mapper" test "$(series 'mogu_host_thin_pool_up{pool="mtp"}')" = 1
tap_check "data size and use match dmsetup status" bash -c "
    [[ \$(printf '%.0f' '$(series 'mogu_host_thin_pool_data_size_bytes{pool="mtp"}')') == $((data_sectors * 512)) ]] &&
    [[ \$(printf '%.0f' '$(series 'mogu_host_thin_pool_data_used_bytes{pool="mtp"}')') == $((used * 65536)) ]] && (( $used > 0 ))"
meta=$(status_field 5)
tap_check "metadata size and use match dmsetup status (4 KiB blocks)" bash -c "
    [[ \$(printf '%.0f' '$(series 'mogu_host_thin_pool_metadata_used_bytes{pool="mtp"}')') == $((${meta%/*} * 4096)) ]] &&
    [[ \$(printf '%.0f' '$(series 'mogu_host_thin_pool_metadata_size_bytes{pool="mtp"}')') == $((${meta#*/} * 4096)) ]]"
tap_check "the pool's mode is rw while it has space" test "$(series 'mogu_host_thin_pool_mode{pool="mtp",mode="rw"}')" = 1

# Past the pool's 64 MiB: the writes fail, the pool switches to out-of-data-space and says so.
dd if=/dev/zero of=/dev/mapper/mtp-t1 bs=1M count=100 seek=16 oflag=direct status=none 2>/dev/null
tap_check "an out-of-data-space pool is shown in that mode" wait_for \
    "[[ \$(series 'mogu_host_thin_pool_mode{pool=\"mtp\",mode=\"out_of_data_space\"}') == 1 ]]"
tap_check "the kernel's out-of-data-space line is counted" wait_for \
    "(( \$(series 'mogu_kernel_events_total{kind=\"thin_out_of_data_space\"}') >= 1 ))"
tap_check "the rule on the pool's use fires once, naming the pool" wait_for \
    "grep '\"status\":\"firing\"' $W/alerts.jsonl | grep -q '\"alertname\":\"ThinPoolNearlyFull\".*\"pool\":\"mtp\"' &&
     [[ \$(grep -c '\"status\":\"firing\"' $W/alerts.jsonl) == 1 ]]"

kill $mon; wait $mon 2>/dev/null
dmsetup remove mtp-t1; dmsetup remove mtp
tap_done
