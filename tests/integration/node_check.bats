#!/usr/bin/env bats
# mogu check on the machine that runs the tests: its report must agree with what this host is
# (its kernel, cgroup layout, device-mapper, sysctls), its exit code with its worst line, and its
# JSON with its text. mogu tune is only ever given bad input here: it never changes this host's
# sysctls (tests/vm/suites/node.sh applies and reverts profiles in a guest).

MOGU=${MOGU_BIN:-$MOGU_SRC/build/bin}/mogu

setup() {
    [[ -x $MOGU ]] || { echo "mogu binary missing at $MOGU (run make)" >&2; return 1; }
    command -v jq >/dev/null || skip "jq is missing (apt-get install jq)"
    TEST_TMP=$(mktemp -d /tmp/mogu-check.XXXXXX)
    local rc=0
    "$MOGU" check >"$TEST_TMP/text" 2>"$TEST_TMP/err" || rc=$?
    echo $rc >"$TEST_TMP/text.rc"
    rc=0
    "$MOGU" check --format json >"$TEST_TMP/json" 2>>"$TEST_TMP/err" || rc=$?
    echo $rc >"$TEST_TMP/json.rc"
}
teardown() { rm -rf "$TEST_TMP"; }

# The host's cgroup layout, decided here without mogu.
host_layout() {
    local v1 v2
    v1=$(awk '$9 == "cgroup" && $NF !~ /name=/ {n++} END {print n + 0}' /proc/self/mountinfo)
    v2=$(awk '$9 == "cgroup2" {n++} END {print n + 0}' /proc/self/mountinfo)
    if (( v1 > 0 && v2 > 0 )); then echo hybrid; elif (( v2 > 0 )); then echo v2; else echo v1; fi
}

# check_line NAME [JSON]: "LEVEL detail" of the line(s) with that name; check_fix: their fix.
check_line() { jq -r --arg n "$1" '.checks[] | select(.name == $n) | "\(.level) \(.detail)"' "${2:-$TEST_TMP/json}"; }
check_fix() { jq -r --arg n "$1" '.checks[] | select(.name == $n) | .fix // ""' "${2:-$TEST_TMP/json}"; }
named() { jq --arg n "$1" '[.checks[] | select(.name == $n)] | length' "${2:-$TEST_TMP/json}"; }

# same GOT WANT: equal, or both shown (bats prints them under the failing test).
same() { [[ $1 == "$2" ]] || { printf 'got:  %s\nwant: %s\n' "$1" "$2"; return 1; }; }

# The first "X.Y[.Z]" a tool prints for --version, as X.Y.Z (mogu's first_version_in); empty
# when the tool fails or prints none.
tool_version() {
    local out
    out=$("$@" 2>&1) || return 0
    grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?' <<<"$out" | head -n 1 | awk -F. '{ printf "%d.%d.%d\n", $1, $2, $3 }'
}
version_at_least() { [[ $(printf '%s\n' "$2" "$1" | sort -V | head -n 1) == "$2" ]]; }

# expected_tool PROGRAM MINIMUM WHY: the "LEVEL detail" mogu check should give PROGRAM as it is
# found on this PATH (mogu runs `PROGRAM --version` through PATH).
expected_tool() {
    local v
    v=$(command -v "$1" >/dev/null && tool_version "$1" --version)
    if [[ -z $v ]]; then echo "WARN not found or no version from \`$1 --version\`: $3"
    elif version_at_least "$v" "$2"; then echo "OK $v (at least $2): $3"
    else echo "WARN $v is older than $2: $3"; fi
}
LXCFS_WHY="the containers' /proc and /sys views (5.0 reads cgroup v2)"
QEMU_WHY="mogu-vm's micro-VMs (-M microvm, tested with Debian 12's 7.2)"
CRIU_FIX="make deps (builds criu 4.1 into /opt/mogu/criu), or give --criu PATH"

# The running kernel's config as mogu check finds it (nothing when there is none).
kernel_config() {
    if [[ -r /proc/config.gz ]]; then zcat /proc/config.gz
    elif [[ -r /boot/config-$(uname -r) ]]; then cat "/boot/config-$(uname -r)"; fi
}
# lists_module FILE MODULE: modules.builtin or modules.dep has MODULE ("-" and "_" alike).
lists_module() {
    awk -F: -v m="${2//-/_}" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko.*/, "", n); gsub(/-/, "_", n); if (n == m) f = 1 } END { exit !f }' "$1"
}
# module_state MODULE OPTION CONFIG_FILE: built in, loaded, on disk or absent, decided here from
# /lib/modules, /sys/module and the config (CONFIG_FILE may be empty: no config).
module_state() {
    local m=${1//-/_} dir=/lib/modules/$(uname -r)
    if [[ -r $dir/modules.builtin ]] && lists_module "$dir/modules.builtin" "$m"; then echo builtin
    elif [[ -e /sys/module/$m/initstate ]]; then echo loaded
    elif [[ -r $dir/modules.dep ]] && lists_module "$dir/modules.dep" "$m"; then echo available
    elif [[ -e /sys/module/$m ]]; then echo builtin
    elif [[ -s $3 ]] && grep -qx "$2=y" "$3"; then echo builtin
    else echo absent; fi
}
# expect_module JSON MODULE OPTION WHY CONFIG_FILE: the "module MODULE" line is what the state says.
expect_module() {
    local want fix=""
    case $(module_state "$2" "$3" "$5") in
        builtin) want="OK built in: $4" ;;
        loaded) want="OK loaded: $4" ;;
        available) want="OK not loaded (module on disk); the kernel loads it on first use: $4" ;;
        absent) want="WARN neither loaded, built in, nor in /lib/modules/$(uname -r): $4"
                fix="install the kernel's modules or a kernel with $2" ;;
    esac
    same "$(named "module $2" "$1")" 1
    same "$(check_line "module $2" "$1")" "$want"
    same "$(check_fix "module $2" "$1")" "$fix"
}

@test "check exits with its worst line: 2 with a FAIL, 1 with a WARN, else 0" {
    local want=0 rc
    rc=$(cat "$TEST_TMP/text.rc")
    grep -q '^WARN ' "$TEST_TMP/text" && want=1
    grep -q '^FAIL ' "$TEST_TMP/text" && want=2
    [ "$rc" = "$want" ]
    [ ! -s "$TEST_TMP/err" ]
}

@test "check --format json parses, and says what the text says" {
    jq -e . "$TEST_TMP/json" >/dev/null
    [ "$(jq .exit_code "$TEST_TMP/json")" = "$(cat "$TEST_TMP/json.rc")" ]
    [ "$(cat "$TEST_TMP/json.rc")" = "$(cat "$TEST_TMP/text.rc")" ]
    local lvl
    for lvl in OK WARN FAIL; do
        [ "$(jq --arg l "$lvl" '[.checks[] | select(.level == $l)] | length' "$TEST_TMP/json")" = \
          "$(grep -c "^$lvl " "$TEST_TMP/text")" ]
    done
    [ "$(jq '.summary.ok + .summary.warn + .summary.fail' "$TEST_TMP/json")" = "$(jq '.checks | length' "$TEST_TMP/json")" ]
    # Every line that is not OK says how to fix it, except the "not checked" ones.
    [ "$(jq '[.checks[] | select(.level != "OK" and .fix == null and (.detail | startswith("not checked") | not))] | length' "$TEST_TMP/json")" = 0 ]
}

@test "check reports this host's kernel and where its config came from" {
    [ "$(jq -r .kernel "$TEST_TMP/json")" = "$(uname -r)" ]
    if [[ -r /proc/config.gz ]]; then
        [ "$(jq -r .config_source "$TEST_TMP/json")" = /proc/config.gz ]
    elif [[ -r /boot/config-$(uname -r) ]]; then
        [ "$(jq -r .config_source "$TEST_TMP/json")" = "/boot/config-$(uname -r)" ]
    else
        [ "$(jq -r .config_source "$TEST_TMP/json")" = null ]
    fi
}

@test "check reports this host's cgroup layout" {
    local layout
    layout=$(host_layout)
    jq -e --arg n "layout $layout" '.checks[] | select(.name == $n)' "$TEST_TMP/json" >/dev/null
    [ "$(jq '[.checks[] | select(.name | startswith("layout "))] | length' "$TEST_TMP/json")" = 1 ]
    if [[ $layout == v2 ]]; then check_line "layout v2" | grep -q '^OK '; else check_line "layout $layout" | grep -q '^WARN '; fi
}

@test "check's device-mapper lines agree with /dev/mapper/control" {
    if [[ -e /dev/mapper/control ]]; then
        check_line device-mapper | grep -q '^OK '
    else
        check_line device-mapper | grep -q '^WARN not in this kernel\|^WARN not loaded'
        [ "$(check_line 'thin pool')" = "WARN not checked: no device-mapper" ]
        [ "$(check_line 'cache tier')" = "WARN not checked: no device-mapper" ]
    fi
}

@test "check reads the sysctls this host has" {
    local key value
    for key in vm.max_map_count kernel.pid_max fs.aio-max-nr vm.dirty_ratio; do
        value=$(cat "/proc/sys/${key//.//}")
        check_line "$key" | grep -q "^[A-Z]* $value[ ,]"
    done
    # The port range is two numbers; the report shows them with one space.
    value=$(tr '\t' ' ' </proc/sys/net/ipv4/ip_local_port_range)
    check_line net.ipv4.ip_local_port_range | grep -q "^[A-Z]* $value[ ,]"
}

@test "check's seccomp notify line agrees with the kernel's actions" {
    if grep -qw user_notif /proc/sys/kernel/seccomp/actions_avail; then
        check_line "seccomp notify" | grep -q '^OK '
    else
        check_line "seccomp notify" | grep -q '^WARN '
    fi
}

@test "check's KVM line agrees with /dev/kvm: missing, not ours to open, or whether a test guest runs to its hlt" {
    command -v python3 >/dev/null || skip "python3 is missing (it runs helpers/kvm_hlt.py)"
    same "$(named KVM)" 1
    local rc=0
    python3 "$BATS_TEST_DIRNAME/helpers/kvm_hlt.py" 2>"$TEST_TMP/kvm.err" || rc=$?
    if [[ ! -e /dev/kvm ]]; then
        same "$(check_line KVM)" "WARN /dev/kvm: No such file or directory: mogu-vm falls back to TCG (about ten times slower)"
        same "$(check_fix KVM)" "load kvm-intel or kvm-amd (on a VM: enable nested virtualisation)"
    elif (( rc == 2 )); then
        same "$(check_line KVM)" "WARN $(cat "$TEST_TMP/kvm.err"): mogu-vm falls back to TCG (about ten times slower)"
        same "$(check_fix KVM)" "give the user of mogu-vm read-write access to /dev/kvm (group kvm)"
    elif (( rc == 0 )); then
        # This project's machines: /dev/kvm is nested PVM, which runs the hlt guest (and fails only
        # at a full kernel boot, which mogu-vm probes itself).
        same "$(check_line KVM)" "OK /dev/kvm runs a test guest to its hlt; mogu-vm still probes a full boot once (see docs/vm.md)"
        same "$(check_fix KVM)" ""
    else
        [[ $(check_line KVM) == "WARN /dev/kvm opens, but a test guest does not run: "*"; mogu-vm falls back to TCG" ]]
        same "$(check_fix KVM)" "check the host's (or the outer hypervisor's) KVM support"
    fi
}

@test "check's LXCFS, CRIU and QEMU lines: the version each reports, or a WARN with the install command" {
    same "$(check_line lxcfs)" "$(expected_tool lxcfs 5.0.0 "$LXCFS_WHY")"
    same "$(check_line qemu-system-x86_64)" "$(expected_tool qemu-system-x86_64 7.2.0 "$QEMU_WHY")"
    # criu as mogu checkpoint finds it: /opt/mogu/criu, then PATH; its version from the binary.
    local criu=/opt/mogu/criu/sbin/criu v
    [[ -x $criu ]] || criu=$(command -v criu || true)
    if [[ -z $criu ]]; then
        same "$(check_line criu)" "WARN checkpoint/restore needs criu 4.1.0 or newer, and none was found in /opt/mogu/criu or on PATH; run 'make deps' (it builds criu 4.1 into /opt/mogu/criu) or name one with 'mogu --criu PATH'"
    else
        v=$("$criu" --version | sed -n 's/^Version: //p' | awk -F. '{ printf "%d.%d.%d\n", $1, $2, $3 }')
        if version_at_least "$v" 4.1.0; then
            same "$(check_line criu)" "OK $v at $criu: checkpoint, restore and migrate"
        else
            same "$(check_line criu)" "WARN $criu is criu $v, too old for this kernel (mogu needs 4.1.0 or newer); run 'make deps' (it builds criu 4.1 into /opt/mogu/criu) or name one with 'mogu --criu PATH'"
        fi
    fi
    same "$(jq '[.checks[] | select(.area == "tools")] | length' "$TEST_TMP/json")" 3
}

@test "check's tools lines WARN with the install command when a tool is missing, fails, or is too old" {
    # Missing: a PATH without them (mogu looks lxcfs and QEMU up on PATH).
    PATH=/nonexistent "$MOGU" check --format json >"$TEST_TMP/nopath" 2>"$TEST_TMP/nopath.err" || true
    same "$(check_line lxcfs "$TEST_TMP/nopath")" "WARN not found or no version from \`lxcfs --version\`: $LXCFS_WHY"
    same "$(check_fix lxcfs "$TEST_TMP/nopath")" "apt-get install lxcfs"
    same "$(check_line qemu-system-x86_64 "$TEST_TMP/nopath")" "WARN not found or no version from \`qemu-system-x86_64 --version\`: $QEMU_WHY"
    same "$(check_fix qemu-system-x86_64 "$TEST_TMP/nopath")" "apt-get install qemu-system-x86"
    # Too old, and one that fails: stand-ins on PATH.
    mkdir "$TEST_TMP/old" "$TEST_TMP/broken"
    printf '#!/bin/sh\necho "lxcfs 4.0.12"\n' >"$TEST_TMP/old/lxcfs"
    printf '#!/bin/sh\necho "QEMU emulator version 6.2.0 (Debian 1:6.2+dfsg-2ubuntu6.15)"\n' >"$TEST_TMP/old/qemu-system-x86_64"
    printf '#!/bin/sh\necho "unknown option --version" >&2\nexit 1\n' >"$TEST_TMP/broken/lxcfs"
    chmod +x "$TEST_TMP"/old/* "$TEST_TMP"/broken/*
    PATH=$TEST_TMP/old "$MOGU" check --format json >"$TEST_TMP/oldpath" 2>/dev/null || true
    same "$(check_line lxcfs "$TEST_TMP/oldpath")" "WARN 4.0.12 is older than 5.0.0: $LXCFS_WHY"
    same "$(check_fix lxcfs "$TEST_TMP/oldpath")" "apt-get install lxcfs"
    same "$(check_line qemu-system-x86_64 "$TEST_TMP/oldpath")" "WARN 6.2.0 is older than 7.2.0: $QEMU_WHY"
    PATH=$TEST_TMP/broken "$MOGU" check --format json >"$TEST_TMP/brokenpath" 2>/dev/null || true
    same "$(check_line lxcfs "$TEST_TMP/brokenpath")" "WARN not found or no version from \`lxcfs --version\`: $LXCFS_WHY"
    # CRIU through --criu: a path that does not exist, a file that cannot be run, and a program
    # that does not answer criu's version request.
    "$MOGU" --criu "$TEST_TMP/nocriu" check --format json >"$TEST_TMP/nocriu.json" 2>/dev/null || true
    same "$(check_line criu "$TEST_TMP/nocriu.json")" "WARN criu $TEST_TMP/nocriu (from --criu) cannot be run; run 'make deps' (it builds criu 4.1 into /opt/mogu/criu) or name one with 'mogu --criu PATH': No such file or directory"
    same "$(check_fix criu "$TEST_TMP/nocriu.json")" "$CRIU_FIX"
    printf '#!/bin/sh\nexit 0\n' >"$TEST_TMP/plain"
    chmod 0644 "$TEST_TMP/plain"
    "$MOGU" --criu "$TEST_TMP/plain" check --format json >"$TEST_TMP/plain.json" 2>/dev/null || true
    same "$(check_line criu "$TEST_TMP/plain.json")" "WARN criu $TEST_TMP/plain (from --criu) cannot be run; run 'make deps' (it builds criu 4.1 into /opt/mogu/criu) or name one with 'mogu --criu PATH': Permission denied"
    # It prints on its stdout, as a wrapper script might: the JSON report stays whole.
    printf '#!/bin/sh\necho not criu\nexit 1\n' >"$TEST_TMP/notcriu"
    chmod +x "$TEST_TMP/notcriu"
    "$MOGU" --criu "$TEST_TMP/notcriu" check --format json >"$TEST_TMP/notcriu.json" 2>"$TEST_TMP/notcriu.err" || true
    jq -e . "$TEST_TMP/notcriu.json" >/dev/null
    grep -qx 'not criu' "$TEST_TMP/notcriu.err"
    [[ $(check_line criu "$TEST_TMP/notcriu.json") == "WARN $TEST_TMP/notcriu does not work as criu ("*"); run 'make deps' (it builds criu 4.1 into /opt/mogu/criu) or name one with 'mogu --criu PATH'" ]]
    same "$(check_fix criu "$TEST_TMP/notcriu.json")" "$CRIU_FIX"
}

@test "check's overlayfs, veth and bridge lines agree with /proc/filesystems, /sys/module, /lib/modules and the config" {
    local config=$TEST_TMP/running.config
    kernel_config >"$config"
    if awk '$NF == "overlay" { f = 1 } END { exit !f }' /proc/filesystems; then
        same "$(check_line overlayfs)" "OK registered in /proc/filesystems"
        same "$(named "module overlay")" 0
    else
        same "$(named overlayfs)" 0
        expect_module "$TEST_TMP/json" overlay CONFIG_OVERLAY_FS "containerd's default snapshotter" "$config"
    fi
    expect_module "$TEST_TMP/json" veth CONFIG_VETH "a container's link to the host" "$config"
    expect_module "$TEST_TMP/json" bridge CONFIG_BRIDGE "the CNI bridge plugin, Docker's docker0" "$config"
    # A config without them: only the running kernel's modules count (on this project's machines
    # veth is then absent, a WARN).
    printf 'CONFIG_NAMESPACES=y\n' >"$TEST_TMP/bare.config"
    "$MOGU" check --format json --kernel-config "$TEST_TMP/bare.config" >"$TEST_TMP/bare.json" 2>/dev/null || true
    expect_module "$TEST_TMP/bare.json" veth CONFIG_VETH "a container's link to the host" "$TEST_TMP/bare.config"
    expect_module "$TEST_TMP/bare.json" bridge CONFIG_BRIDGE "the CNI bridge plugin, Docker's docker0" "$TEST_TMP/bare.config"
}

@test "check's cgroup v2 lines agree with the cgroup2 root's controllers and subtree_control" {
    local root c avail deleg wanted=()
    root=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo)
    if [[ -z $root ]]; then
        same "$(named "v2 delegation")" 0
        same "$(named "v2 controllers")" 0
        return
    fi
    avail=$(echo $(cat "$root/cgroup.controllers"))
    deleg=$(echo $(cat "$root/cgroup.subtree_control"))
    same "$(check_line "v2 controllers")" "OK available at the root: $avail"
    for c in cpu memory pids io; do
        if [[ " $avail " == *" $c "* && " $deleg " != *" $c "* ]]; then wanted+=("$c"); fi
    done
    same "$(named "v2 delegation")" 1
    if (( ${#wanted[@]} == 0 )); then
        same "$(check_line "v2 delegation")" "OK the root's subtree_control enables: ${deleg:-(none)}"
        same "$(check_fix "v2 delegation")" ""
    else
        same "$(check_line "v2 delegation")" "WARN the root's subtree_control lacks ${wanted[*]}: containers below it cannot be limited by them"
        local plus=${wanted[*]}
        same "$(check_fix "v2 delegation")" "echo '+${plus// / +}' > $root/cgroup.subtree_control (systemd: Delegate=yes)"
    fi
}

@test "check refuses an unknown format and a missing kernel config, printing nothing else" {
    run "$MOGU" check --format yaml
    [ "$status" = 1 ]
    [ "$output" = 'mogu: check: --format: unknown format "yaml" (text or json)' ]
    run "$MOGU" check --kernel-config "$TEST_TMP/nothere"
    [ "$status" = 1 ]
    [ "$output" = "mogu: --kernel-config: $TEST_TMP/nothere does not exist" ]
}

@test "check --kernel-config reads a given config instead of the running kernel's" {
    printf 'CONFIG_NAMESPACES=y\n# CONFIG_USER_NS is not set\n' >"$TEST_TMP/config"
    run "$MOGU" check --format json --kernel-config "$TEST_TMP/config"
    [ "$(jq -r .config_source <<<"$output")" = "$TEST_TMP/config" ]
    [ "$(jq -r '.checks[] | select(.name == "user namespaces (CONFIG_USER_NS)") | .level' <<<"$output")" = WARN ]
    [ "$(jq -r '.checks[] | select(.name == "pid namespaces (CONFIG_PID_NS)") | .level' <<<"$output")" = FAIL ]
    [ "$status" = 2 ]
}

@test "tune refuses an unknown profile and bad flag combinations, changing nothing" {
    local before after
    before=$(ls -l --time-style=full-iso /etc/sysctl.d/ 2>/dev/null; cat /proc/sys/vm/max_map_count)
    run "$MOGU" tune --profile nosuch
    [ "$status" = 1 ]
    [ "$output" = 'mogu: unknown profile "nosuch" (known: dense, festival)' ]
    run "$MOGU" tune
    [ "$status" = 1 ]
    [[ $output == *"give --profile NAME or --revert"* ]]
    run "$MOGU" tune --profile dense --revert
    [ "$status" = 1 ]
    run "$MOGU" tune --revert --dry-run
    [ "$status" = 1 ]
    [[ $output == *"--dry-run goes with --profile"* ]]
    after=$(ls -l --time-style=full-iso /etc/sysctl.d/ 2>/dev/null; cat /proc/sys/vm/max_map_count)
    [ "$before" = "$after" ]
}
