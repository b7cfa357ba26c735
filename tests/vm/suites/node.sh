#!/bin/bash
# mogu check and mogu tune in guests with known kernels and layouts (this host has no
# device-mapper and is hybrid, and its sysctls are never changed by tests): three boots.
#   v2:     check without dm modules, without the kernel's config, with dm-thin-pool and dm-cache
#           loaded and a healthy / over-provisioned / full pool; tune's bad input, dense (before
#           nf_conntrack is loaded), festival (after) and revert, reading every value back
#           (tests/vm/guest/node-actions.sh does, we judge)
#   v1, hybrid: what check says about the layout
set -uo pipefail
cd "$(dirname "$0")/../../.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
PLAN=36
why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu ]] && why="$MOGU_BIN/mogu is not built"
[[ -z $why ]] && ! command -v jq >/dev/null && why="jq is missing"
[[ -z $why ]] && ! command -v sqlite3 >/dev/null && why="sqlite3 is missing (apt-get install sqlite3)"
[[ -z $why ]] && ! command -v dmsetup >/dev/null && why="dmsetup is missing (apt-get install dmsetup)"
if [[ -n $why ]]; then tap_plan $PLAN; tap_skip_rest "$why"; exit 0; fi

work=$(mktemp -d /tmp/mogu-node-vm.XXXXXX)
chmod 0755 "$work"
trap '[[ -n ${MOGU_NODE_KEEP:-} ]] && echo "# kept $work" || rm -rf "$work"' EXIT
tap_plan $PLAN

tests/vm/run-in-guest --cgroup v2 --share "$work" --timeout 600 \
    --disk data:256M --disk meta:16M --disk data2:64M --disk meta2:8M \
    -- bash tests/vm/guest/node-actions.sh "$work" >"$work/guest.out" 2>"$work/guest.err"
rc=$?
if (( rc != 0 )) || [[ ! -e $work/revert-again.rc ]]; then
    tap_not_ok "v2: the guest ran the actions (exit $rc)" "$(tail -n 25 "$work/guest.err")"
    tap_skip_rest "the v2 guest failed"
    exit 1
fi
tap_ok "v2: the guest ran the actions"

# level NAME FILE: the level of the line with that name.
level() { jq -r --arg n "$1" '.checks[] | select(.name == $n) | .level' "$work/$2.out"; }
detail() { jq -r --arg n "$1" '.checks[] | select(.name == $n) | .detail' "$work/$2.out"; }
rc_of() { cat "$work/$1.rc"; }
# agrees NAME: the exit status is the JSON's exit_code and the worst level.
agrees() {
    local worst
    worst=$(jq -r '[.checks[].level] | if index("FAIL") then 2 elif index("WARN") then 1 else 0 end' "$work/$1.out")
    [[ $(rc_of "$1") == "$(jq .exit_code "$work/$1.out")" && $(rc_of "$1") == "$worst" ]]
}
same() { diff "$work/$1" "$work/$2"; }

# Each check is a function: details carry quotes and apostrophes that do not survive bash -c.
is() { [[ $1 == "$2" ]] || { echo "got: $1"; echo "want: $2"; return 1; }; }
like() { [[ $1 == $2 ]] || { echo "got: $1"; echo "want: $2"; return 1; }; }
json() { jq -r "$2" "$work/$1.out"; }
status_is() { is "$(rc_of "$1")" "$2" && { [[ -z ${3:-} ]] || grep -q -- "$3" "$work/$1.err" || { cat "$work/$1.err"; return 1; }; }; }

no_dm_module_on_disk() { is "$(level device-mapper nodm)" WARN && like "$(detail device-mapper nodm)" "*dm-mod module is on disk*"; }
no_config_says_so() {
    is "$(json noconfig .config_source)" null && is "$(level config noconfig)" WARN &&
        like "$(detail config noconfig)" "not found (looked at /proc/config.gz, /boot/config-*" && (( $(rc_of noconfig) >= 1 ))
}
no_config_still_probes() {
    is "$(level available noconfig)" OK && is "$(level 'layout v2' noconfig)" OK && is "$(level seccomp noconfig)" OK &&
        ! grep -q CONFIG_NAMESPACES "$work/noconfig.out"
}
dm_loaded() {
    is "$(level 'dm target thin-pool' dm)" OK && is "$(level 'dm target cache' dm)" OK &&
        like "$(detail 'thin pool' dm)" "not configured*" && like "$(detail 'cache tier' dm)" "not configured*"
}
pool_over() {
    is "$(level 'thin pool pool provisioning' pool-over)" FAIL &&
        like "$(detail 'thin pool pool provisioning' pool-over)" "2 active thin device(s) of 384 MiB,*on 256 MiB of data: over-provisioned*" && is "$(rc_of pool-over)" 2
}
pool_full() { is "$(level 'thin pool pool2 data use' pool-full)" FAIL && is "$(level 'thin pool pool2 ignore_discard' pool-full)" WARN; }
pool_badconfig() {
    is "$(level 'snapshotter config' pool-badconfig)" FAIL && like "$(detail 'snapshotter config' pool-badconfig)" "/run/bad.toml: pool_name:*"
}

tap_check "v2: check reports pure cgroup v2 as OK" is "$(level 'layout v2' nodm)" OK
tap_check "v2: the kernel's config is read from /boot (no /proc/config.gz in Debian's kernel)" like "$(json nodm .config_source)" "/boot/config-*"
tap_check "v2: the exit status is the worst line, as in the JSON" agrees nodm
# Debian's 6.1.0-N-amd64 is judged as the upstream release /proc/version names: no known bad range.
debian_upstream_judged() {
    local line up
    line=$(json nodm '.checks[] | select(.area == "kernel" and (.name | startswith("version "))) | "\(.level) \(.name): \(.detail)"')
    up=${line#OK version }
    up=${up%%:*}
    like "$up" '6.1.[1-9]*' &&
        like "$line" "OK version $up: in none of the * known bad ranges ($(json nodm .kernel) is built from $up, says /proc/version)"
}
tap_check "v2: Debian's kernel is judged by the upstream release /proc/version names" debian_upstream_judged
tap_check "no dm modules loaded: device-mapper WARN says the module is on disk" no_dm_module_on_disk
tap_check "no dm modules loaded: the thin pool is 'not checked: no device-mapper'" is "$(detail 'thin pool' nodm)" "not checked: no device-mapper"
tap_check "without a kernel config: says what it could not know, exit status 1 or 2" no_config_says_so
tap_check "without a kernel config: the probes still report namespaces, cgroups and seccomp, no config lines" no_config_still_probes
tap_check "without a kernel config: the text's first line says so" grep -q '(config: not found, probed only)' "$work/noconfig-text.out"
tap_check "dm loaded: thin-pool and cache targets OK, no pool or cache tier configured" dm_loaded
tap_check "a healthy pool with ignore_discard: its five lines are OK" \
    is "$(json pool-good '[.checks[] | select(.name | startswith("thin pool pool ")) | select(.level == "OK")] | length')" 5
tap_check "the pool's provisioning line counts the snapshotter's database" \
    like "$(detail 'thin pool pool provisioning' pool-good)" "1 active thin device(s) of 128 MiB, 2 device(s) of 192 MiB in the snapshotter's database on 256 MiB of data"
tap_check "devices the database commits beyond the pool FAIL even when inactive" \
    like "$(level 'thin pool pool provisioning' pool-dbover) $(detail 'thin pool pool provisioning' pool-dbover)" "FAIL *3 device(s) of 320 MiB in the snapshotter's database*"
tap_check "an over-provisioned pool FAILs, exit status 2" pool_over
tap_check "a pool above its low-water mark FAILs; without ignore_discard it WARNs" pool_full
tap_check "a broken snapshotter config FAILs naming the file and key" pool_badconfig

# --- tune
dry_run_lists() { status_is dryrun 0 && grep -q '^  vm.max_map_count: 65530 -> 262144$' "$work/dryrun.out" && grep -q '^      why: ' "$work/dryrun.out"; }
tap_check "tune --dry-run prints each change and why" dry_run_lists
tap_check "tune --dry-run changes nothing" same before.snap after-dryrun.snap
tap_check "an unknown profile is refused naming the known ones" status_is badprofile 1 '^mogu: unknown profile "nosuch" (known: dense, festival)$'
tap_check "a read-only /proc/sys is refused naming the file and EROFS" \
    status_is readonly 1 '^mogu: open /proc/sys/[a-z/_]* for writing: Read-only file system (mogu tune cannot work'
tap_check "without root it is refused: permission denied, needs root" \
    status_is nobody 1 '^mogu: open /proc/sys/[a-z/_]* for writing: Permission denied (mogu tune needs root'
tap_check "revert without a saved copy is refused" status_is norevert 1 'nothing to revert'
tap_check "the refused runs changed nothing (sysctls, sysctl.d file, saved copy)" same before.snap after-bad.snap
tap_check "tune --profile dense succeeds" status_is dense 0
# Every active line of the file it wrote is what the kernel now says.
readback() {
    local key value got n=0
    while IFS='=' read -r key value; do
        key=${key// /} value=${value# }
        got=$(grep "^$key=" "$work/after-dense.snap" | cut -d= -f2-)
        [[ $got == "$value" ]] || { echo "$key: file $value, kernel $got"; return 1; }
        n=$((n + 1))
    done < <(grep -v '^#' "$work/dense.conf" | grep =)
    (( n >= 14 )) || { echo "only $n settings in the file"; return 1; }
}
dense_values() { grep -qx vm.dirty_ratio=10 "$1" && grep -qx vm.max_map_count=262144 "$1" && grep -qx kernel.pid_max=4194304 "$1"; }
dense_file() { grep -q '^# Written by .mogu tune --profile dense.' "$work/dense.conf" && grep -q '^# memory maps per process' "$work/dense.conf"; }
# The festival profile as runtime/node/sysctl_profile.cpp defines it: key, rule, target
# (vm.min_free_kbytes: 1% of memory within 128-512 MiB, at most 5% of it, in whole MiB).
festival_min_free() {
    local mem v cap
    mem=$(awk '{ print $2 }' "$work/meminfo")
    v=$(( mem / 100 ))
    (( v < 131072 )) && v=131072
    (( v > 524288 )) && v=524288
    cap=$(( mem / 20 ))
    (( cap < 1024 )) && cap=1024
    (( v > cap )) && v=$cap
    echo $(( v / 1024 * 1024 ))
}
festival_profile() {
    printf '%s\n' "vm.dirty_ratio at_most 5" "vm.dirty_background_ratio at_most 2" "vm.dirty_expire_centisecs at_most 1500" \
        "vm.dirty_writeback_centisecs at_most 500" "vm.min_free_kbytes at_least $(festival_min_free)" \
        "kernel.pid_max at_least 4194304" "kernel.threads-max at_least 4194304" "fs.file-max at_least 4194304" \
        "fs.inotify.max_user_instances at_least 8192" "fs.inotify.max_user_watches at_least 1048576" \
        "fs.aio-max-nr at_least 1048576" "vm.max_map_count at_least 262144" "net.core.somaxconn at_least 65535" \
        "net.ipv4.ip_local_port_range range 1024 65535" "net.netfilter.nf_conntrack_max at_least 1048576"
}
# meets RULE CURRENT TARGET: the current value already satisfies the profile (tune then keeps it,
# in the file too).
meets() {
    local lo hi tlo thi
    case $1 in
        at_most) (( $2 > 0 && $2 <= $3 )) ;;
        at_least) (( $2 >= $3 )) ;;
        range) read -r lo hi <<<"$2"; read -r tlo thi <<<"$3"; (( lo <= tlo && hi >= thi )) ;;
    esac
}
snap_value() { grep "^$1=" "$work/$2" | cut -d= -f2-; }
# Every key of the profile: the file has it (commented out when the kernel lacks it), and the
# kernel now says what the file says: the target, or the value from before festival when that
# already met it. The keys the guest kernel lacks go to $work/festival.absent.
festival_readback() {
    local key rule target before want got line n=0 absent=()
    status_is festival 0 || return 1
    while read -r key rule target; do
        before=$(snap_value "$key" after-conntrack.snap)
        got=$(snap_value "$key" after-festival.snap)
        if [[ $before == absent ]]; then
            grep -qx "# $key = $target" "$work/festival.conf" || { echo "$key: absent, but not commented out in the file"; return 1; }
            is "$got" absent || return 1
            absent+=("$key")
            continue
        fi
        want=$target
        if meets "$rule" "$before" "$target"; then want=$before; fi
        line=$(grep "^$key = " "$work/festival.conf") || { echo "$key: no active line in the file"; return 1; }
        is "$line" "$key = $want" || return 1
        is "$got" "$want" || { echo "($key before festival: $before)"; return 1; }
        n=$((n + 1))
    done < <(festival_profile)
    (( $(grep -c ' = ' "$work/festival.conf") == 15 )) || { echo "the file does not have the profile's 15 keys"; return 1; }
    echo "$n ${absent[*]:-none}" >"$work/festival.absent"
}
festival_absent() {
    local n rest
    read -r n rest <"$work/festival.absent" 2>/dev/null || return 0
    echo "# festival: $n of 15 values read back; absent on the guest kernel: $rest"
}
# Dense ran before nf_conntrack was loaded: the key was absent, so the file has it commented out.
dense_conntrack_commented() {
    is "$(snap_value net.netfilter.nf_conntrack_max after-dense.snap)" absent &&
        grep -qx '# not on this kernel when written (module not loaded?)' "$work/dense.conf" &&
        grep -qx '# net.netfilter.nf_conntrack_max = 262144' "$work/dense.conf" &&
        { ! grep -q '^net.netfilter.nf_conntrack_max' "$work/dense.conf" || { echo "an active nf_conntrack_max line"; return 1; }; }
}
# nf_conntrack loaded for festival: its maximum is applied and read back.
festival_conntrack() {
    status_is conntrack 0 &&
        like "$(snap_value net.netfilter.nf_conntrack_max after-conntrack.snap)" '[0-9]*' &&
        grep -qx 'net.netfilter.nf_conntrack_max = 1048576' "$work/festival.conf" &&
        is "$(snap_value net.netfilter.nf_conntrack_max after-festival.snap)" 1048576
}
# Revert puts back what was there before dense; nf_conntrack_max, whose key appeared only when the
# module was loaded, goes back to the module's default.
reverted() {
    is "$(cat "$work/revert.rc")" 0 &&
        diff <(grep -v '^net.netfilter.nf_conntrack_max=' "$work/before.snap") <(grep -v '^net.netfilter.nf_conntrack_max=' "$work/after-revert.snap") &&
        is "$(snap_value net.netfilter.nf_conntrack_max after-revert.snap)" "$(snap_value net.netfilter.nf_conntrack_max after-conntrack.snap)"
}
tap_check "dense: the sysctls read back are the file's values" readback
tap_check "dense: vm.dirty_ratio 10, vm.max_map_count 262144, kernel.pid_max 4194304" dense_values "$work/after-dense.snap"
tap_check "dense: the file says who wrote it and why each value" dense_file
tap_check "after dense, check's sysctl lines are OK" is "$(json check-dense '[.checks[] | select(.area == "sysctl" and .level != "OK")] | length')" 0
tap_check "dense before nf_conntrack is loaded: nf_conntrack_max is written commented out" dense_conntrack_commented
tap_check "festival on top: every value of the profile reads back (kept when already better), the file has all 15" festival_readback
festival_absent
tap_check "festival with nf_conntrack loaded: nf_conntrack_max 1048576 in the file and the kernel" festival_conntrack
tap_check "revert restores every value (nf_conntrack_max: the module's default), the administrator's file, and drops the saved copy" reverted
tap_check "a second revert has nothing to revert" status_is revert-again 1 'nothing to revert'

# --- the other layouts: one boot each, check only
for layout in v1 hybrid; do
    tests/vm/run-in-guest --cgroup $layout --timeout 300 -- "$MOGU_BIN/mogu" check --format json >"$work/$layout.out" 2>"$work/$layout.err"
    echo $? >"$work/$layout.rc"
done
v1_layout() {
    is "$(level 'layout v1' v1)" WARN && is "$(level controllers v1)" OK &&
        is "$(json v1 '[.checks[] | select(.name | startswith("layout "))] | length')" 1 && agrees v1
}
hybrid_layout() { is "$(level 'layout hybrid' hybrid)" WARN && like "$(detail 'layout hybrid' hybrid)" "*cgroup2 at /sys/fs/cgroup/unified*" && agrees hybrid; }
tap_check "v1: check reports a v1 layout (WARN), memory/cpu/pids/cpuset usable, exit status agrees" v1_layout
tap_check "hybrid: check reports a hybrid layout with cgroup2 at /sys/fs/cgroup/unified, exit status agrees" hybrid_layout
tap_done
