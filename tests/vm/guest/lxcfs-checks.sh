#!/bin/bash
# Runs inside a pure cgroup v2 guest (tests/vm/suites/lxcfs-cgroup-v2.sh boots it) and prints TAP:
# the checks of tests/integration/lxcfs.bats that read what LXCFS computes from the cgroup, done
# the same way: its LXCFS helpers (lib/lxcfs.bash: a private mount point, --enable-loadavg
# --enable-cfs), mogu's --lxcfs-path and io.mogu.lxcfs=required, the tools rootfs (procps).
# Plain bash and few processes rather than bats: under TCG each fork and exec of the host's
# binaries costs 0.1-0.5 s, and bats took 17 s for a file of two empty tests.
set -uo pipefail
. "$MOGU_SRC/tests/vm/lib/tap.sh"
. "$MOGU_SRC/tests/integration/lib/lxcfs.bash"
. "$MOGU_SRC/tests/lib/cgroups.bash"
MOGU=$MOGU_BIN/mogu
TOOLS_ROOTFS=$MOGU_SRC/tests/fixtures/out/tools-rootfs
CGROUP_PARENT=/mogu-test
W=/run/lxcfs-checks
ROOT=$W/state
tap_plan 12

LXCFS_DIR="" LXCFS_MNT=""
cleanup() {
    local id
    for id in $("$MOGU" --root "$ROOT" list -q 2>/dev/null); do "$MOGU" --root "$ROOT" delete --force "$id" >/dev/null 2>&1; done
    [[ -n $LXCFS_DIR ]] && stop_lxcfs "$LXCFS_DIR" && rm -rf "$LXCFS_DIR"
    remove_cgroup_parent "$CGROUP_PARENT"
}
trap cleanup EXIT

lx() { "$MOGU" --root "$ROOT" --lxcfs-path "$LXCFS_MNT" "$@"; }
# bundle ID SCRIPT [JQ]: $W/ID with the tools rootfs and the views required, running sh -c SCRIPT
# under $CGROUP_PARENT/ID, JQ applied; one jq run each (jq alone costs ~0.5 s here).
bundle() {
    local id=$1 script=$2 extra=${3:-.}
    mkdir -p "$W/$id" && ln -sfn "$TOOLS_ROOTFS" "$W/$id/rootfs"
    jq --arg script "$script" --arg cg "$CGROUP_PARENT/$id" \
        '.process.terminal = false | .process.args = ["sh", "-c", $script] | .process.env += ["TERM=dumb"]
         | .annotations["io.mogu.lxcfs"] = "required" | .linux.cgroupsPath = $cg | '"$extra" \
        "$W/spec.json" >"$W/$id/config.json"
}
run_fg() { lx run --bundle "$W/$1" "$1" </dev/null 2>&1; }
run_bg() { lx run -d --bundle "$W/$1" "$1" </dev/null >"$W/$1.out" 2>&1 || { cat "$W/$1.out"; return 1; }; }
mem_total() { awk '/^Mem:/ {print $2}' <<<"$1"; }
fuse_mounts() { grep -c ' - fuse' /proc/self/mountinfo; }
# expect WHAT GOT WANT...: fails, saying what it got, unless GOT is one of WANT.
expect() {
    local what=$1 got=$2 w; shift 2
    for w in "$@"; do [[ $got == "$w" ]] && return 0; done
    echo "$what: got '$got', wanted: $*"; return 1
}

mkdir -p "$W"
(cd "$W" && "$MOGU" spec) || { tap_not_ok "mogu spec" ; tap_skip_rest "no spec to build bundles from"; exit 1; }
mv "$W/config.json" "$W/spec.json"
cpus=$(nproc --all)
guest_mem=$(mem_total "$(free -m)")

# --- the guest: pure v2, FUSE, LXCFS
pure_v2() {
    ! grep " - cgroup cgroup " /proc/self/mountinfo && expect "/sys/fs/cgroup" "$(stat -fc %T /sys/fs/cgroup)" cgroup2fs
}
tap_check "pure cgroup v2: cgroup2 at /sys/fs/cgroup, no v1 hierarchy (guest: $cpus CPUs, $guest_mem MiB)" pure_v2

# FUSE is a module in Debian's kernel (fs/fuse/fuse.ko), not in the initramfs: modprobe finds it in
# the host's /lib/modules through 9p, and devtmpfs makes /dev/fuse. No udev: mknod if it did not.
fuse_how=""
if [[ -d /sys/module/fuse ]]; then fuse_how="built in"
elif modprobe fuse; then fuse_how="module loaded"
fi
[[ -n $fuse_how && ! -c /dev/fuse ]] && mknod -m 0666 /dev/fuse c 10 229 && fuse_how+=", /dev/fuse made"
if why=$(lxcfs_missing); then
    tap_not_ok "FUSE and LXCFS in the guest" "$why"
    tap_skip_rest "LXCFS cannot run in the guest: $why"
    exit 1
fi
LXCFS_DIR=$(mktemp -d /tmp/mogu-lxcfs.XXXXXX)
if start_lxcfs "$LXCFS_DIR" 2>"$W/lxcfs-start.err"; then
    tap_ok "FUSE ($fuse_how) and LXCFS $(lxcfs --version 2>&1) --enable-loadavg --enable-cfs at a private mount point"
else
    tap_not_ok "FUSE ($fuse_how) and LXCFS at a private mount point" "$(cat "$W/lxcfs-start.err")"
    tap_skip_rest "LXCFS did not start in the guest"
    exit 1
fi
fuse_before=$(fuse_mounts)

# --- one long-lived container: 256 MiB, 1.5 CPUs. Its uptime counts from its start.
g0=$(cut -d' ' -f1 /proc/uptime)
bundle views 'sleep 1000' '.linux.resources.memory = {"limit": 268435456} | .linux.resources.cpu = {"quota": 150000, "period": 100000}'
if ! run_bg views; then
    tap_not_ok "a container with the views starts" "$(cat "$W/views.out")"
    tap_skip_rest "the container with the views did not start"
    exit 1
fi
views_pid=$(lx state views | jq .pid)

free_256() {
    local out
    out=$(lx exec views free -m 2>&1) || { echo "$out"; return 1; }
    expect "free's total in MiB" "$(mem_total "$out")" 256
}
tap_check "free in a container with a 256 MiB limit shows 256 MiB (the guest has $guest_mem)" free_256

cpus_15() {
    local out
    out=$(lx exec views sh -c 'grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online' 2>&1) || { echo "$out"; return 1; }
    expect "cpuinfo's processors, online" "$(echo $out)" "2 0-1"
}
if (( cpus >= 3 )); then
    tap_check "a quota of 1.5 CPUs shows 2 CPUs in /proc/cpuinfo and /sys/devices/system/cpu/online" cpus_15
else
    tap_skip "a quota of 1.5 CPUs shows 2 CPUs" "the guest has $cpus CPUs: 2 under the quota could not be told from its own (--cpus 3)"
fi

# Without the view /proc/uptime is the guest's, which was already g0 when the container started.
uptime_small() {
    local out up g1
    out=$(lx exec views sh -c 'cat /proc/uptime; uptime' 2>&1) || { echo "$out"; return 1; }
    g1=$(cut -d' ' -f1 /proc/uptime)
    up=$(head -1 <<<"$out" | cut -d' ' -f1)
    [[ $out == *"up 0 min"* ]] || { echo "uptime: $out"; return 1; }
    awk -v up="$up" -v g0="$g0" -v g1="$g1" 'BEGIN {
        printf "container up %s s, started at guest uptime %s s, now %s s\n", up, g0, g1
        exit !(up >= 0 && up <= g1 - g0 + 1 && up < 30) }'
}
tap_check "uptime of a fresh container counts from its start, not the guest's boot" uptime_small

half=$(bundle half 'grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online' '.linux.resources.cpu = {"quota": 50000, "period": 100000}' && run_fg half)
tap_check "half a CPU shows 1 CPU in /proc/cpuinfo and /sys/devices/system/cpu/online" expect "cpuinfo's processors, online" "$(echo $half)" "1 0"

# --- load: two busy loops in one container; the views container, asleep, is its idle neighbour.
# Half a CPU for the two: they load the emulated guest less, and the throttling is CPU pressure.
bundle busy 'while :; do :; done & while :; do :; done & wait' '.linux.resources.cpu = {"quota": 50000, "period": 100000}'
run_bg busy || cat "$W/busy.out"
# LXCFS samples every 5 s; the 1-minute average of two busy tasks passes 0.2 within ~10 s. One exec
# polls inside (each exec from outside costs more than the poll's period).
load_rises() {
    local out idle
    out=$(lx exec busy sh -c 'i=0; while [ $i -lt 40 ]; do read l rest </proc/loadavg
        case $l in 0.0*|0.1*) ;; *) echo "$l after $i s"; exit 0 ;; esac; sleep 1; i=$((i + 1)); done
        echo "still $l after $i s"; exit 1' 2>&1) || { echo "busy: $out"; return 1; }
    idle=$(lx exec views cut -d' ' -f1 /proc/loadavg 2>&1)
    echo "busy: $out; idle neighbour: $idle"
    awk -v i="$idle" 'BEGIN {exit !(i < 0.1)}'
}
tap_check "busy loops raise the container's own load average, not its neighbour's" load_rises

stats_load() {
    local stats
    stats=$(lx events --stats busy 2>&1) || { echo "$stats"; return 1; }
    jq -e '.data.loadavg.avg1 >= 0.1 and .data.loadavg.tasks >= 1
           and .data.cpu.psi.some.avg10 > 0 and .data.memory.psi.full.total >= 0' <<<"$stats" >/dev/null ||
        { jq -c '{loadavg: .data.loadavg, cpu_psi: .data.cpu.psi, memory_psi: .data.memory.psi}' <<<"$stats"; return 1; }
}
tap_check "events --stats: the busy container's load average and its v2 cgroup's CPU pressure (PSI)" stats_load
lx delete --force busy >/dev/null 2>&1

views_inside() {
    local out
    out=$(lx exec views sh -c 'echo x 2>/dev/null >/proc/meminfo && echo written || echo refused; grep -c fuse.lxcfs /proc/self/mountinfo' 2>&1)
    echo "inside: $out"
    [[ $(head -1 <<<"$out") == refused ]] && (( $(tail -1 <<<"$out") >= 8 )) && expect "FUSE mounts on the guest" "$(fuse_mounts)" "$fuse_before"
}
tap_check "the views are bound read-only inside, none of them on the guest" views_inside

# --- LXCFS killed: the views die with it; restarted and repaired, free is back.
stop_lxcfs "$LXCFS_DIR" -KILL
dead_views() {
    local out
    if out=$(lx exec views free -m 2>&1); then echo "free still works: $out"; return 1; fi
    out=$(lx exec views cat /proc/meminfo 2>&1)
    [[ $out == *"Transport endpoint is not connected"* ]] || { echo "cat /proc/meminfo: $out"; return 1; }
}
tap_check "after LXCFS is killed (SIGKILL), free in the container fails: Transport endpoint is not connected" dead_views

restarted=up
start_lxcfs "$LXCFS_DIR" 2>"$W/lxcfs-restart.err" || restarted=$(cat "$W/lxcfs-restart.err")
t0=$EPOCHREALTIME
repaired() {
    local out
    [[ $restarted == up ]] || { echo "LXCFS did not come back: $restarted"; return 1; }
    out=$(lx lxcfs repair views 2>&1) || { echo "repair: $out"; return 1; }
    [[ $out == *"views: "*" views re-bound"* ]] || { echo "repair: $out"; return 1; }
    out=$(lx exec views free -m 2>&1) || { echo "free: $out"; return 1; }
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "free back %.2f s after LXCFS came up\n", b - a; exit !(b - a < 5)}' || return 1
    expect "free's total in MiB" "$(mem_total "$out")" 256 || return 1
    expect "the container's pid (not restarted)" "$(lx state views | jq .pid)" "$views_pid"
}
tap_check "LXCFS restarted: lxcfs repair brings free back within 5 s, the container not restarted" repaired

# --- delete: nothing of the container is left, least of all a mount.
nothing_left() {
    lx delete --force views || return 1
    local left=()
    [[ -e $ROOT/views ]] && left+=("state dir $ROOT/views")
    [[ -d /sys/fs/cgroup$CGROUP_PARENT/views ]] && left+=("cgroup /sys/fs/cgroup$CGROUP_PARENT/views")
    (( $(fuse_mounts) == fuse_before )) || left+=("$(grep ' - fuse' /proc/self/mountinfo)")
    grep -q " $W/" /proc/self/mountinfo && left+=("$(grep " $W/" /proc/self/mountinfo)")
    (( ${#left[@]} == 0 )) || { printf 'left behind: %s\n' "${left[@]}"; return 1; }
}
tap_check "after delete nothing of the container is left: state, cgroup, mounts" nothing_left

tap_done
