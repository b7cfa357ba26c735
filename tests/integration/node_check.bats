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

check_line() { jq -r --arg n "$1" '.checks[] | select(.name == $n) | "\(.level) \(.detail)"' "$TEST_TMP/json"; }

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
