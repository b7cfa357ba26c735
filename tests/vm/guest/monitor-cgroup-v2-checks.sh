#!/bin/bash
# Runs inside a pure cgroup v2 guest booted with psi=1 (tests/vm/suites/monitor-cgroup-v2.sh boots
# it) and prints TAP: mogu-monitor's container series against the cgroup v2 files of real mogu
# containers (this project's hosts are hybrid, where the monitor reads v1): a container doing
# direct IO on a disk of the guest, one holding memory, a fork bomb held by its PID limit, a
# process OOM-killed under a memory limit while its container lives on; each figure compared with
# the file the kernel keeps for it (io.stat, cpu.stat, memory.current/max, pids.current/max,
# memory.events, io.pressure), and every series gone after delete.
set -uo pipefail
. "$MOGU_SRC/tests/vm/lib/tap.sh"
. "$MOGU_SRC/tests/lib/cgroups.bash"
MOGU=$MOGU_BIN/mogu
ROOTFS=$MOGU_SRC/tests/fixtures/out/rootfs
CGROUP_PARENT=/mogu-monitor-v2
W=/run/monitor-v2
ROOT=$W/state
CG=/sys/fs/cgroup$CGROUP_PARENT
tap_plan 12

mon=""
cleanup() {
    local id
    [[ -n $mon ]] && kill "$mon" 2>/dev/null && wait "$mon" 2>/dev/null
    for id in $("$MOGU" --root "$ROOT" list -q 2>/dev/null); do "$MOGU" --root "$ROOT" delete --force "$id" >/dev/null 2>&1; done
    mountpoint -q /mnt/data && umount /mnt/data
    remove_cgroup_parent "$CGROUP_PARENT"
}
trap cleanup EXIT

# bundle ID SCRIPT [JQ]: $W/ID on the busybox rootfs running sh -c SCRIPT under $CGROUP_PARENT/ID,
# with /mnt/data at /data, JQ applied (one jq run each: jq alone costs ~0.5 s under TCG).
bundle() {
    local id=$1 script=$2 extra=${3:-.}
    mkdir -p "$W/$id" && ln -sfn "$ROOTFS" "$W/$id/rootfs"
    jq --arg script "$script" --arg cg "$CGROUP_PARENT/$id" \
        '.process.terminal = false | .process.args = ["sh", "-c", $script] | .linux.cgroupsPath = $cg
         | .mounts += [{destination: "/data", type: "bind", source: "/mnt/data", options: ["rbind", "rw"]}] | '"$extra" \
        "$W/spec.json" >"$W/$id/config.json"
}
run_bg() { "$MOGU" --root "$ROOT" run -d --bundle "$W/$1" "$1" </dev/null >"$W/$1.out" 2>&1 || { cat "$W/$1.out"; return 1; }; }
wait_for() { local i; for i in $(seq 100); do eval "$1" && return 0; sleep 0.2; done; eval "$1"; }

mkdir -p "$W" /mnt/data
(cd "$W" && "$MOGU" spec) || { tap_not_ok "mogu spec"; tap_skip_rest "no spec to build bundles from"; exit 1; }
mv "$W/config.json" "$W/spec.json"
mkfs.ext4 -q -E nodiscard /dev/disk/by-id/virtio-data && mount /dev/disk/by-id/virtio-data /mnt/data ||
    { tap_not_ok "a disk for the IO container"; tap_skip_rest "no disk"; exit 1; }
disk=$(lsblk -ndo MAJ:MIN /dev/disk/by-id/virtio-data | tr -d ' ')

tap_check "pure cgroup v2 with PSI (guest booted with psi=1)" bash -c \
    "! grep -q ' - cgroup cgroup ' /proc/self/mountinfo && [[ \$(stat -fc %T /sys/fs/cgroup) == cgroup2fs && -r /proc/pressure/io ]]"

cat >"$W/monitor.toml" <<T
listen = "127.0.0.1:0"
interval = "200ms"
[containers]
roots = ["$ROOT"]
[host]
paths = []
daemons = []
T
"$MOGU_BIN/mogu-monitor" --config "$W/monitor.toml" </dev/null >"$W/monitor.log" 2>&1 &
mon=$!
url=
for _ in $(seq 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/metrics' "$W/monitor.log" | head -1)
    [[ -n $url ]] && curl -sf "$url" >/dev/null && break
    url=; sleep 0.1
done
if [[ -z $url ]]; then tap_not_ok "mogu-monitor starts" "$(cat "$W/monitor.log")"; tap_skip_rest "mogu-monitor did not start"; exit 1; fi
curl -sf --max-time 2 "$url" >"$W/scrape"
# value METRIC NAME [LABEL...]: the sum of METRIC's series of container NAME (with each LABEL) in
# the last saved scrape ($W/scrape); empty when there is none.
value() {
    local metric=$1 name=$2 l lines; shift 2
    lines=$(grep -E "^$metric\{" "$W/scrape" | grep -F "name=\"$name\"")
    for l in "$@"; do lines=$(grep -F "$l" <<<"$lines"); done
    [[ -n $lines ]] && awk '{ s += $NF } END { printf "%.6f\n", s }' <<<"$lines"
}
rescrape() { curl -sf --max-time 2 "$url" >"$W/scrape"; }
# near A B TOLERANCE: |A - B| <= TOLERANCE, saying both otherwise.
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; if (d <= t) exit 0; print "got " a ", want " b " (within " t ")"; exit 1 }'; }

# --- four containers: IO, memory, a fork bomb, a process killed by the OOM killer
bundle io 'dd if=/dev/urandom of=/data/f bs=1M count=8 oflag=direct 2>/dev/null && dd if=/data/f of=/dev/null bs=1M iflag=direct 2>/dev/null && touch /data/io.done; exec sleep 300'
bundle mem 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=16 2>/dev/null; touch /data/mem.done; exec sleep 300' \
    '.linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 32'
# A subshell forks sleepers until pids.max refuses (the fork error ends it); init then becomes a
# sleeper itself: 15 of 16 tasks held (as monitor_alerts.bats's bomb on the host).
bundle bomb '(while :; do sleep 300 & done) 2>/dev/null; exec sleep 300' '.linux.resources.pids.limit = 16'
bundle oom 'tail /dev/zero; touch /data/oom.done; exec sleep 300' '.linux.resources.memory.limit = 16777216 | .linux.resources.memory.swap = 16777216'
started=1
for id in io mem bomb oom; do run_bg $id || started=0; done
if (( !started )) || ! wait_for '[[ -e /mnt/data/io.done && -e /mnt/data/mem.done && -e /mnt/data/oom.done ]] && (( $(cat $CG/bomb/pids.current) >= 15 ))'; then
    tap_not_ok "the containers run" "$(cat $W/*.out; ls /mnt/data; cat $CG/bomb/pids.current)"
    tap_skip_rest "the containers did not run"; exit 1
fi
sleep 0.5   # one collection after the last change
rescrape

io_check() {
    local rbytes wbytes rios wios
    read -r rbytes wbytes rios wios < <(awk -v d="$disk" '$1 == d { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } print v["rbytes"], v["wbytes"], v["rios"], v["wios"] }' "$CG/io/io.stat")
    (( wbytes >= 8388608 && rbytes >= 8388608 )) || { echo "io.stat of $disk: $(cat "$CG/io/io.stat")"; return 1; }
    near "$(value container_fs_writes_bytes_total io)" "$wbytes" 0 && near "$(value container_fs_reads_bytes_total io)" "$rbytes" 0 &&
        near "$(value container_fs_writes_total io)" "$wios" 0 && near "$(value container_fs_reads_total io)" "$rios" 0
}
tap_check "block IO bytes and ops of a container writing and reading 8 MiB direct are io.stat's" io_check
cpu_check() {
    local usage user system
    usage=$(awk '$1 == "usage_usec" { print $2 / 1e6 }' "$CG/io/cpu.stat")
    user=$(awk '$1 == "user_usec" { print $2 / 1e6 }' "$CG/io/cpu.stat")
    system=$(awk '$1 == "system_usec" { print $2 / 1e6 }' "$CG/io/cpu.stat")
    awk -v u="$usage" 'BEGIN { exit !(u > 0) }' || { echo "no CPU use in cpu.stat"; return 1; }
    near "$(value container_cpu_usage_seconds_total io)" "$usage" 0.01 && near "$(value container_cpu_user_seconds_total io)" "$user" 0.01 &&
        near "$(value container_cpu_system_seconds_total io)" "$system" 0.01
}
tap_check "CPU seconds (usage, user, system) are cpu.stat's" cpu_check
tap_check "the memory limit is memory.max, the PID limit pids.max" bash -c "
    [[ \$(cat $CG/mem/memory.max) == 67108864 && \$(cat $CG/mem/pids.max) == 32 ]] &&
    [[ '$(value container_spec_memory_limit_bytes mem)' == 67108864.000000 && '$(value container_threads_max mem)' == 32.000000 ]]"
mem_check() {
    local current; current=$(cat "$CG/mem/memory.current")
    (( current >= 16777216 )) || { echo "memory.current $current: the 16 MiB in /dev/shm are not charged"; return 1; }
    near "$(value container_memory_usage_bytes mem)" "$current" 262144
}
tap_check "memory use (16 MiB kept in /dev/shm) is memory.current's" mem_check
bomb_check() {
    local current; current=$(cat "$CG/bomb/pids.current")
    [[ $current -ge 15 && $(cat "$CG/bomb/pids.max") == 16 ]] || { echo "pids.current $current, pids.max $(cat "$CG/bomb/pids.max")"; return 1; }
    near "$(value container_threads bomb)" "$current" 0 && near "$(value container_threads_max bomb)" 16 0
}
tap_check "a fork bomb held by its PID limit: tasks and limit are pids.current's and pids.max's" bomb_check
oom_check() {
    local kills oom
    kills=$(awk '$1 == "oom_kill" { print $2 }' "$CG/oom/memory.events")
    oom=$(awk '$1 == "oom" { print $2 }' "$CG/oom/memory.events")
    (( kills >= 1 )) || { echo "memory.events: $(cat "$CG/oom/memory.events")"; return 1; }
    near "$(value mogu_container_oom_kills_total oom)" "$kills" 0 && near "$(value container_oom_events_total oom)" "$oom" 0 &&
        { grep -E '^mogu_alerts_firing\{alertname="ContainerOOMKilled"' "$W/scrape" | grep -F 'name="oom"' | grep -qF 'process="tail"' ||
          { echo "no ContainerOOMKilled alert naming tail: $(grep '^mogu_alerts_firing' "$W/scrape")"; return 1; }; }
}
tap_check "a process OOM-killed in a container that lives on: OOM kills and events are memory.events', the alert names it" oom_check
psi_check() {
    local some full
    some=$(awk '$1 == "some" { sub("total=", "", $5); print $5 / 1e6 }' "$CG/io/io.pressure")
    full=$(awk '$1 == "full" { sub("total=", "", $5); print $5 / 1e6 }' "$CG/io/io.pressure")
    [[ -n $(value container_pressure_io_waiting_seconds_total io) ]] || { echo "no container_pressure_io series: $(grep -c pressure "$W/scrape")"; return 1; }
    # PSI totals move on their own (an idle group's stall ends late): within 10 ms of the file.
    near "$(value container_pressure_io_waiting_seconds_total io)" "$some" 0.01 &&
        near "$(value container_pressure_io_stalled_seconds_total io)" "$full" 0.01
}
tap_check "IO pressure (some, full) is io.pressure's" psi_check
pressure_series() {
    local n r
    for n in io mem bomb oom; do
        for r in memory cpu; do
            [[ -n $(value "container_pressure_${r}_waiting_seconds_total" $n) ]] || { echo "no $r pressure series for $n"; return 1; }
        done
    done
}
tap_check "memory and CPU pressure series are there for every container" pressure_series
tap_check "promtool finds nothing to complain about in the scrape" bash -c "! command -v promtool >/dev/null || promtool check metrics <'$W/scrape'"

for id in io mem bomb oom; do "$MOGU" --root "$ROOT" delete --force $id >/dev/null 2>&1; done
# The OOM alert stays firing until its resolve time (oom_resolve_after, 5 minutes), by design.
series_gone() {
    wait_for "rescrape && ! grep -v '^mogu_alerts_firing{' '$W/scrape' | grep -qE 'name=\"(io|mem|bomb|oom)\"'" ||
        { grep -v '^mogu_alerts_firing{' "$W/scrape" | grep -E 'name="(io|mem|bomb|oom)"' | head -5; return 1; }
}
tap_check "every container's series are gone after delete (but the OOM alert, firing until its resolve time)" series_gone
tap_check "nothing left: no state, no cgroup under the parent" bash -c "
    [[ -z \$(ls -A $ROOT) && -z \$(find $CG -mindepth 1 -type d) ]]"
tap_done
