#!/usr/bin/env bats
# mogu-monitor's alerts: a rule in monitor.toml fired by a real container (a fork bomb held by its
# PID limit, run by mogu directly and by a private containerd with the mogu shim) and resolved
# when it goes, the OOM alert of a real OOM kill (of a container of mogu's, received by Debian's
# Alertmanager within 2 s and resolved there after oom_resolve_after; and of a memory hog in a
# container of containerd's, with its containerd namespace), a webhook receiver that hangs while
# collection goes on, rule configs that are refused, and the shipped Prometheus rules checked and
# tested by promtool.

load lib/runtime
load lib/monitor
# Our own containerd namespace: /run/containerd/mogu/<ns> is shared with whoever else runs
# containerd tests on this host, and the monitor must look only at ours.
CTD_NS=mogu-monitor-alerts
load lib/containerd

RULES_DIR=${MOGU_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}/monitor/alerts

setup() {
    runtime_setup
    [[ -x $MONITOR ]] || { echo "mogu-monitor missing at $MONITOR (run make)" >&2; return 1; }
    command -v curl >/dev/null || { echo "curl missing (make deps)" >&2; return 1; }
}

teardown() {
    # The receivers first: the monitor's sender must not wait out a timeout on its way down.
    [[ -n ${RECV_PID:-} ]] && { kill "$RECV_PID" 2>/dev/null; wait "$RECV_PID" 2>/dev/null || true; }
    [[ -n ${AM_PID:-} ]] && { kill "$AM_PID" 2>/dev/null; wait "$AM_PID" 2>/dev/null || true; }
    [[ -n ${MON_PID:-} ]] && { kill "$MON_PID" 2>/dev/null; wait "$MON_PID" 2>/dev/null || true; }
    if [[ -n ${CTD_DIR:-} ]]; then
        stop_containerd
        rmdir "/run/containerd/mogu/$CTD_NS" 2>/dev/null || true  # the shim's state root, empty by now
    fi
    runtime_teardown
}

# start_monitor INTERVAL [TOML...]: mogu-monitor on a port the kernel picks, reading $ROOT (or
# $MON_ROOT when set), with the rest of the config from the arguments; sets MON_PID and MON_URL
# once it answers.
start_monitor() {
    local interval=$1
    shift
    {
        echo 'listen = "127.0.0.1:0"'
        echo "interval = \"$interval\""
        printf '%s\n' "$@"
        echo '[containers]'
        echo "roots = [\"${MON_ROOT:-$ROOT}\"]"
    } >"$TEST_TMP/monitor.toml"
    launch_monitor
}

# ctr_run_spec ID JQ_FILTER...: a container of the private containerd's, run by the mogu shim,
# from a whole OCI spec, as ctr's flags set no PID or swap limit: containerd's default spec
# (`ctr oci spec`) on the fixture rootfs (read-only, no snapshot), the cgroup containerd gives its
# containers (/<namespace>/<id>), then each filter.
ctr_run_spec() {
    local id=$1 program f
    shift
    program=".root = {path: \"$FIXTURE_ROOTFS\", readonly: true} | .linux.cgroupsPath = \"/$CTD_NS/$id\""
    for f in "$@"; do program+=" | ($f)"; done
    ctr_ oci spec | jq "$program" >"$TEST_TMP/$id.spec.json"
    ctr_ run -d --runtime io.containerd.mogu.v2 --config "$TEST_TMP/$id.spec.json" "$id" </dev/null
}

# Seconds from an RFC 3339 time with fractions and a Z, as jq reads them (the fraction dropped).
seconds_of() { jq -rn --arg t "$1" '$t | sub("\\.[0-9]+Z$"; "Z") | fromdate'; }

# cgroup_file CGROUP FILE: the first of that cgroup's files (every hierarchy) that exists.
cgroup_file() {
    local m
    for m in $(cgroup_mounts); do
        [[ -f $m$1/$2 ]] && { cat "$m$1/$2"; return; }
    done
    echo "no $2 for cgroup $1" >&2
    return 1
}

# The container's OOM kills as its memory cgroup counts them (v1 memory.oom_control, v2 memory.events).
cgroup_oom_kills() {
    local d
    for d in $(cgroup_dirs_of "$ID"); do
        [[ -f $d/memory.oom_control ]] && { awk '$1 == "oom_kill" {print $2}' "$d/memory.oom_control"; return; }
        [[ -f $d/memory.events ]] && { awk '$1 == "oom_kill" {print $2}' "$d/memory.events"; return; }
    done
    echo 0
}

@test "a fork bomb held by its PID limit fires the configured rule once, and it resolves once when the container goes" {
    make_bundle '.linux.resources.pids.limit = 32'
    # A subshell forks sleepers until pids.max refuses (the fork error ends it); init then becomes
    # a sleeper itself, holding the container at its limit.
    set_args /bin/sh -c '(while :; do sleep 300 & done) 2>/dev/null; exec sleep 300'
    start_monitor 200ms \
        "[[rules]]" "name = \"PidsAtLimit\"" "metric = \"container_threads\"" "labels = { name = \"$ID\" }" \
        "op = \">=\"" "threshold = 30" "for = \"1s\"" "severity = \"warning\"" "summary = \"fork bomb\"" \
        "[alerts]" "log = \"$TEST_TMP/alerts.jsonl\""
    run_detached "$ID"
    # Only this rule's lines: the built-in OOM alert (on here) may fire for an OOM kill anywhere on
    # the host, as another suite's running beside this one.
    ours() { grep "\"status\":\"$1\"" "$TEST_TMP/alerts.jsonl" | grep '"alertname":"PidsAtLimit"'; }
    wait_until 10 "ours firing"
    local line
    line=$(ours firing)
    echo "$line"
    [ "$(jq -r .alertname <<<"$line")" = PidsAtLimit ]
    [ "$(jq -r .labels.name <<<"$line")" = "$ID" ]
    [ "$(jq -r .labels.id <<<"$line")" = "$CGROUP_PARENT/$ID" ]
    [ "$(jq -r .labels.host <<<"$line")" = "$(hostname)" ]
    (( $(jq -r .value <<<"$line") >= 30 ))
    [ "$(jq -r .severity <<<"$line")" = warning ]
    [ "$(jq -r .summary <<<"$line")" = "fork bomb" ]
    jq -e '.startsAt | test("^20[0-9-]+T")' <<<"$line"
    scrape | grep -q "^mogu_alerts_firing{alertname=\"PidsAtLimit\",severity=\"warning\",id=\"$CGROUP_PARENT/$ID\",name=\"$ID\""
    # The status page, /api/status and `mogu-monitor status` list it, with how many rules are watched.
    local base=${MON_URL%/metrics} status
    status=$(curl -sf --max-time 2 "$base/api/status")
    [ "$(jq -r '.alerting.rules' <<<"$status")" = 2 ]  # PidsAtLimit and the built-in OOM alert
    [ "$(jq -r '.alerting.firing[] | select(.name == "PidsAtLimit") | .severity' <<<"$status")" = warning ]
    curl -sf --max-time 2 "$base/" | grep -q 'PidsAtLimit'
    run "$MONITOR" status --address "${base#http://}"
    echo "$output"
    [[ $output == *"alerts: "[1-9]" firing"* && $output == *"PidsAtLimit id=$CGROUP_PARENT/$ID,name=$ID,"* ]]
    sleep 1  # still breaching: it does not fire again
    [ "$(ours firing | wc -l)" = 1 ]
    mogu delete --force "$ID"
    wait_until 5 "ours resolved"
    line=$(ours resolved)
    [ "$(jq -r .labels.name <<<"$line")" = "$ID" ]
    jq -e '.endsAt | test("^20[0-9-]+T")' <<<"$line"
    ! scrape | grep -q '^mogu_alerts_firing{alertname="PidsAtLimit"' || false
    sleep 0.5
    [ "$(ours firing | wc -l)" = 1 ]
    [ "$(ours resolved | wc -l)" = 1 ]
}

@test "through containerd and the mogu shim, a fork bomb held by its PID limit fires the rule with its containerd namespace, and it resolves when the container goes" {
    if why=$(containerd_missing); then skip "$why"; fi
    start_containerd
    MON_ROOT=/run/containerd/mogu/$CTD_NS
    local cg=/$CTD_NS/$ID-fb
    # The rule picks the container by its name and its containerd namespace. No OOM alert: an OOM
    # kill anywhere on this shared host would raise one into the log this test counts.
    start_monitor 200ms \
        "[[rules]]" "name = \"PidsAtLimit\"" "metric = \"container_threads\"" \
        "labels = { name = \"$ID-fb\", containerd_namespace = \"$CTD_NS\" }" \
        "op = \">=\"" "threshold = 30" "for = \"1s\"" "severity = \"warning\"" "summary = \"fork bomb\"" \
        "[alerts]" "log = \"$TEST_TMP/alerts.jsonl\"" "oom = false"
    # As in the test above: sleepers forked until pids.max refuses, then init sleeps too.
    ctr_run_spec "$ID-fb" '.linux.resources.pids = {limit: 32}' \
        '.process.args = ["/bin/sh", "-c", "(while :; do sleep 300 & done) 2>/dev/null; exec sleep 300"]'
    wait_until 20 "grep -q '\"status\":\"firing\"' '$TEST_TMP/alerts.jsonl'"
    local line
    line=$(grep '"status":"firing"' "$TEST_TMP/alerts.jsonl")
    echo "$line"
    [ "$(jq -r .alertname <<<"$line")" = PidsAtLimit ]
    [ "$(jq -r .labels.name <<<"$line")" = "$ID-fb" ]
    [ "$(jq -r .labels.id <<<"$line")" = "$cg" ]
    [ "$(jq -r .labels.containerd_namespace <<<"$line")" = "$CTD_NS" ]
    (( $(jq -r .value <<<"$line") >= 30 ))
    # Held by its limit: the kernel refused forks (pids.events "max"), and the series are the
    # cgroup's: the limit, and the tasks at it.
    local refused
    refused=$(cgroup_file "$cg" pids.events | awk '$1 == "max" {print $2}')
    echo "forks refused by pids.max: $refused"
    (( refused > 0 ))
    [ "$(cgroup_file "$cg" pids.max)" = 32 ]
    [ "$(metric_value container_threads_max "name=\"$ID-fb\"" "containerd_namespace=\"$CTD_NS\"")" = 32 ]
    wait_until 5 "[ \"\$(metric_value container_threads 'name=\"$ID-fb\"')\" = \"\$(cgroup_file $cg pids.current)\" ]"
    (( $(metric_value container_threads "name=\"$ID-fb\"") >= 30 ))
    scrape | grep -q "^mogu_alerts_firing{alertname=\"PidsAtLimit\",severity=\"warning\",id=\"$cg\",name=\"$ID-fb\",containerd_namespace=\"$CTD_NS\""
    [ "$(curl -sf --max-time 2 "${MON_URL%/metrics}/api/status" | jq -r '.alerting.firing[0].name')" = PidsAtLimit ]
    # The task killed: its container is no longer running, the alert resolves, once.
    ctr_ task kill -s SIGKILL "$ID-fb"
    wait_until 10 "grep -q '\"status\":\"resolved\"' '$TEST_TMP/alerts.jsonl'"
    line=$(grep '"status":"resolved"' "$TEST_TMP/alerts.jsonl")
    [ "$(jq -r .labels.id <<<"$line")" = "$cg" ]
    jq -e '.endsAt | test("^20[0-9-]+T")' <<<"$line"
    ! scrape | grep -q '^mogu_alerts_firing{' || false
    sleep 0.5
    [ "$(wc -l <"$TEST_TMP/alerts.jsonl")" = 2 ]
    wait_task_state "$ID-fb" STOPPED
    ctr_ task rm "$ID-fb" >/dev/null
    ctr_ container rm "$ID-fb"
}

@test "through containerd and the mogu shim, an OOM-killed memory hog raises ContainerOOMKilled with its containerd namespace, and the OOM series count it" {
    if why=$(containerd_missing); then skip "$why"; fi
    start_containerd
    MON_ROOT=/run/containerd/mogu/$CTD_NS
    local cg=/$CTD_NS/$ID-oom
    start_monitor 200ms "[alerts]" "log = \"$TEST_TMP/alerts.jsonl\""
    # 16 MiB and no swap; init sleeps, the hog is a process started in the container later.
    ctr_run_spec "$ID-oom" '.linux.resources.memory = {limit: 16777216, swap: 16777216}' '.process.args = ["/bin/sleep", "300"]'
    # The monitor has collected the container (the alert takes its labels from there).
    wait_until 10 "[ \"\$(metric_value container_spec_memory_limit_bytes 'name=\"$ID-oom\"' 'containerd_namespace=\"$CTD_NS\"')\" = 16777216 ]"
    [ "$(metric_value mogu_container_oom_kills_total "name=\"$ID-oom\"")" = 0 ]
    # A shell doubling a string until the OOM killer ends it: the biggest process of the cgroup.
    run ctr_ task exec --exec-id hog "$ID-oom" /bin/sh -c 'x=0123456789abcdef; while :; do x=$x$x; done' </dev/null
    echo "the hog: status $status $output"
    [ "$status" -ne 0 ]
    local kills
    kills=$(cgroup_file "$cg" memory.oom_control 2>/dev/null || cgroup_file "$cg" memory.events)
    kills=$(awk '$1 == "oom_kill" {print $2}' <<<"$kills")
    echo "OOM kills in the cgroup: $kills"
    (( kills >= 1 ))
    wait_until 10 "grep -q '\"alertname\":\"ContainerOOMKilled\".*\"name\":\"$ID-oom\"' '$TEST_TMP/alerts.jsonl'"
    local line
    line=$(grep '"alertname":"ContainerOOMKilled"' "$TEST_TMP/alerts.jsonl" | grep "\"name\":\"$ID-oom\"" | head -1)
    echo "$line"
    [ "$(jq -r .status <<<"$line")" = firing ]
    [ "$(jq -r .severity <<<"$line")" = critical ]
    [ "$(jq -r .labels.id <<<"$line")" = "$cg" ]
    [ "$(jq -r .labels.containerd_namespace <<<"$line")" = "$CTD_NS" ]
    [ "$(jq -r .labels.process <<<"$line")" = sh ]
    [[ $(jq -r .labels.pid <<<"$line") =~ ^[0-9]+$ ]]
    jq -e '.value == 16777216' <<<"$line"
    jq -r .summary <<<"$line" | grep -q "^container $CTD_NS/$ID-oom (cgroup $cg): process sh (pid [0-9]*) killed by the OOM killer; memory limit 16777216 bytes$"
    # The container lives on (init was not the one killed); its series count the kill as the cgroup does.
    ctr_ task ls | grep -q "^$ID-oom .*RUNNING"
    wait_until 5 "[ \"\$(metric_value mogu_container_oom_kills_total 'name=\"$ID-oom\"' 'containerd_namespace=\"$CTD_NS\"')\" = $kills ]"
    (( $(metric_value container_oom_events_total "name=\"$ID-oom\"") >= kills ))
    scrape | grep -q "^mogu_alerts_firing{alertname=\"ContainerOOMKilled\",severity=\"critical\",id=\"$cg\",name=\"$ID-oom\",containerd_namespace=\"$CTD_NS\""
    curl -sf --max-time 2 "${MON_URL%/metrics}/api/status" | jq -e --arg n "$ID-oom" '[.alerting.firing[] | select(.name == "ContainerOOMKilled" and .labels.name == $n)] | length == 1'
}

@test "an OOM kill raises ContainerOOMKilled at Alertmanager within 2 s, naming the container, the process and the limit, and resolves it there after oom_resolve_after" {
    command -v prometheus-alertmanager >/dev/null || skip "prometheus-alertmanager missing (Debian's package; make deps)"
    local port rport
    port=$(free_port)
    rport=$(free_port)
    # Alertmanager's own notifications, one JSON body a line: the receiver sees what it made of
    # the monitor's posts, resolved ones included.
    python3 -c '
import http.server, sys
class Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "ab") as f: f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *args): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Recorder).serve_forever()
' "$rport" "$TEST_TMP/notifications.jsonl" </dev/null >"$TEST_TMP/recorder.log" 2>&1 3>&- 4>&- &
    RECV_PID=$!
    # resolve_timeout 1 h: an alert this Alertmanager no longer lists within the test was ended
    # by the endsAt the monitor posted, not by Alertmanager's own timeout.
    cat >"$TEST_TMP/am.yml" <<EOF
global:
  resolve_timeout: 1h
route:
  receiver: recorder
  group_by: [alertname, name]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: recorder
    webhook_configs:
      - url: http://127.0.0.1:$rport/
        send_resolved: true
EOF
    prometheus-alertmanager --config.file="$TEST_TMP/am.yml" --storage.path="$TEST_TMP/am" \
        --web.listen-address="127.0.0.1:$port" --cluster.listen-address= >"$TEST_TMP/am.log" 2>&1 3>&- 4>&- &
    AM_PID=$!
    wait_until 20 "curl -sf http://127.0.0.1:$port/-/ready" || { cat "$TEST_TMP/am.log" >&2; return 1; }
    # 16 MiB and no swap; the shell waits for the monitor's first collection, then doubles a
    # string until the OOM killer ends it.
    make_bundle '.linux.resources.memory.limit = 16777216' '.linux.resources.memory.swap = 16777216'
    set_args /bin/sh -c 'sleep 2; x=0123456789abcdef; while :; do x=$x$x; done'
    run_detached "$ID"
    # A 10 s interval: the alert must come from the kernel log, not from a collection. It resolves
    # at the first collection 15 s after the kill (at 20 or 30 s): well after the repeat below (at 10 s).
    start_monitor 10s "[alerts]" "webhook = \"http://127.0.0.1:$port/api/v2/alerts\"" "webhook_repeat = \"1s\"" \
        "oom_resolve_after = \"15s\"" "log = \"$TEST_TMP/alerts.jsonl\""
    local end=$((SECONDS + 20))
    while (( $(cgroup_oom_kills) == 0 && SECONDS < end )); do sleep 0.02; done
    local killed_at
    killed_at=$(date +%s.%N)
    (( $(cgroup_oom_kills) > 0 ))
    local q="curl -sf http://127.0.0.1:$port/api/v2/alerts | jq -e '.[] | select(.labels.alertname == \"ContainerOOMKilled\" and .labels.name == \"$ID\")'"
    end=$((SECONDS + 5))
    until eval "$q" >/dev/null 2>&1 || ((SECONDS >= end)); do sleep 0.05; done
    local arrived_at
    arrived_at=$(date +%s.%N)
    echo "OOM kill seen at $killed_at, alert at Alertmanager at $arrived_at"
    local alert
    alert=$(eval "$q")
    echo "$alert"
    python3 -c "import sys; sys.exit(0 if $arrived_at - $killed_at <= 2.0 else 1)"
    [ "$(jq -r .labels.id <<<"$alert")" = "$CGROUP_PARENT/$ID" ]
    [ "$(jq -r .labels.process <<<"$alert")" = sh ]
    [ "$(jq -r .labels.severity <<<"$alert")" = critical ]
    [ "$(jq -r .annotations.value <<<"$alert")" = 16777216 ]
    jq -r .annotations.summary <<<"$alert" | grep -q "container $ID (cgroup $CGROUP_PARENT/$ID): process sh (pid [0-9]*) killed by the OOM killer; memory limit 16777216 bytes"
    [ "$(jq -r .status.state <<<"$alert")" = active ]
    [[ $(jq -r .generatorURL <<<"$alert") == "$MON_URL" ]]
    # Still firing: posted again at the first collection (10 s) after webhook_repeat (1 s), as
    # Alertmanager ends what it stops hearing of.
    local updated
    updated=$(jq -r .updatedAt <<<"$alert")
    wait_until 15 "[[ \$(eval \"\$q\" | jq -r .updatedAt) != '$updated' ]]"
    # The same alert in the JSON lines log.
    grep '"alertname":"ContainerOOMKilled"' "$TEST_TMP/alerts.jsonl" | grep -q "\"name\":\"$ID\""

    # Resolved after oom_resolve_after: posted again with endsAt, Alertmanager lists it no more
    # among its alerts (which leave out the resolved), and notifies its receiver that it resolved.
    local gone="curl -sf http://127.0.0.1:$port/api/v2/alerts | jq -e '[.[] | select(.labels.alertname == \"ContainerOOMKilled\" and .labels.name == \"$ID\")] | length == 0'"
    wait_until 45 "$gone"
    local resolved
    resolved=$(grep '"status":"resolved"' "$TEST_TMP/alerts.jsonl" | grep "\"name\":\"$ID\"")
    echo "$resolved"
    [ "$(wc -l <<<"$resolved")" = 1 ]
    [ "$(jq -r .alertname <<<"$resolved")" = ContainerOOMKilled ]
    local starts ends
    starts=$(seconds_of "$(jq -r .startsAt <<<"$resolved")")
    ends=$(seconds_of "$(jq -r .endsAt <<<"$resolved")")
    echo "startsAt $starts, endsAt $ends"
    (( ends - starts >= 14 ))  # 15 s, less the fractions dropped
    ! scrape | grep -q "^mogu_alerts_firing{alertname=\"ContainerOOMKilled\".*name=\"$ID\"" || false
    local note="select(.status == \"resolved\" and .labels.alertname == \"ContainerOOMKilled\" and .labels.name == \"$ID\")"
    wait_until 20 "jq -e '.alerts[] | $note' '$TEST_TMP/notifications.jsonl'"
    local notified
    notified=$(jq -c ".alerts[] | $note" "$TEST_TMP/notifications.jsonl" | head -1)
    echo "Alertmanager's notification: $notified"
    [ "$(seconds_of "$(jq -r .endsAt <<<"$notified")")" = "$ends" ]
    [ "$(seconds_of "$(jq -r .startsAt <<<"$notified")")" = "$starts" ]
    # Every post reached it.
    [ "$(metric_value mogu_alert_webhook_posts_total 'result="error"')" = 0 ]
}

@test "a webhook receiver that accepts and never answers does not stall collection" {
    local port
    port=$(free_port)
    # Accepts connections, reads nothing, answers nothing; notes each connection.
    python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
held = []
while True:
    c, _ = s.accept(); held.append(c)
    with open(sys.argv[2], "a") as f: f.write("connection\n")
' "$port" "$TEST_TMP/connections" 3>&- 4>&- &
    RECV_PID=$!
    wait_until 5 "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $port)).close()'"
    rm -f "$TEST_TMP/connections"
    # Always true: fires at the first collection and is posted at once.
    start_monitor 200ms \
        "[[rules]]" "name = \"AlwaysFiring\"" "metric = \"mogu_monitor_build_info\"" "op = \">=\"" "threshold = 1" "severity = \"info\"" \
        "[alerts]" "webhook = \"http://127.0.0.1:$port/api/v2/alerts\"" "webhook_timeout = \"30s\"" "log = \"$TEST_TMP/alerts.jsonl\""
    wait_until 5 "[[ -s '$TEST_TMP/connections' ]]"
    # The sender is stuck in its POST; collections go on, 200 ms apart.
    local t1 t2
    t1=$(scrape | awk '/^mogu_monitor_last_collection_timestamp_seconds /{print $2}')
    sleep 2
    t2=$(scrape | awk '/^mogu_monitor_last_collection_timestamp_seconds /{print $2}')
    echo "last collection $t1, 2 s later $t2"
    python3 -c "import sys; sys.exit(0 if $t2 - $t1 >= 1.5 else 1)"
    scrape | grep -q '^mogu_alerts_firing{alertname="AlwaysFiring"'
    scrape | grep -q '^mogu_alert_webhook_posts_total{result="ok"} 0$'
    # The alert and webhook series pass promtool's checks like the rest.
    if command -v promtool >/dev/null; then
        run bash -c "curl -sf '$MON_URL' | promtool check metrics 2>&1"
        echo "$output"
        [ -z "$output" ]
    fi
    grep -q '"alertname":"AlwaysFiring"' "$TEST_TMP/alerts.jsonl"
    # Stopping does not wait out the stuck post's 30 s timeout.
    local start=$SECONDS
    kill "$MON_PID"
    wait "$MON_PID" || true
    MON_PID=
    echo "stopped in $((SECONDS - start)) s"
    (( SECONDS - start <= 3 ))
}

@test "every series a scrape shows, but the alerts' own, can be the metric of a rule" {
    make_bundle '.linux.resources.memory.limit = 67108864' '.linux.resources.pids.limit = 32' \
        '.linux.resources.cpu.quota = 50000' '.linux.resources.cpu.period = 100000'
    set_args /bin/sh -c 'dd if=/dev/zero of=/tmp/f bs=1M count=1 2>/dev/null; exec sleep 300'
    run_detached "$ID"
    start_monitor 200ms
    wait_until 5 "scrape | grep -q 'name=\"$ID\"'"
    local names
    names=$(scrape | awk '$1 == "#" && $2 == "TYPE" {print $3}' | grep -vE '^mogu_(alerts_|alert_webhook_)')
    (( $(wc -l <<<"$names") > 40 ))
    grep -qx container_threads <<<"$names"
    local n i=0
    for n in $names; do
        printf '[[rules]]\nname = "R%d"\nmetric = "%s"\nop = ">"\nthreshold = 0\nseverity = "info"\n' $((i++)) "$n"
    done >"$TEST_TMP/all.toml"
    run "$MONITOR" --config "$TEST_TMP/all.toml" metrics
    [ "$status" = 0 ] || { echo "$output" | head -3; return 1; }
}

@test "a rule on a metric the monitor does not expose, or with a bad value, is refused at start with file, line and rule" {
    cat >"$TEST_TMP/bad.toml" <<'TOML'
listen = "127.0.0.1:0"

[[rules]]
name = "MemoryHigh"
metric = "container_memory_usage"
op = ">"
threshold = 1e9
severity = "warning"
TOML
    run "$MONITOR" --config "$TEST_TMP/bad.toml"
    echo "$output"
    [ "$status" = 1 ]
    [[ $output == "mogu-monitor: $TEST_TMP/bad.toml:5: rules[0] (MemoryHigh): metric: \"container_memory_usage\" is not a series mogu-monitor exposes"* ]]
    sed -i 's/container_memory_usage"/container_memory_usage_bytes"/; s/op = ">"/op = "=>"/' "$TEST_TMP/bad.toml"
    run "$MONITOR" --config "$TEST_TMP/bad.toml"
    echo "$output"
    [ "$status" = 1 ]
    [[ $output == "mogu-monitor: $TEST_TMP/bad.toml:6: rules[0] (MemoryHigh): op: \"=>\" is not one of > >= < <="* ]]
    printf '[alerts]\nwebhook = "127.0.0.1:9093"\n' >"$TEST_TMP/bad.toml"
    run "$MONITOR" --config "$TEST_TMP/bad.toml"
    echo "$output"
    [ "$status" = 1 ]
    [[ $output == "mogu-monitor: $TEST_TMP/bad.toml:2: alerts.webhook: \"127.0.0.1:9093\" is not an http:// or https:// URL"* ]]
}

@test "the shipped Prometheus alerting rules pass promtool check rules and their tests over recorded series" {
    command -v promtool >/dev/null || skip "promtool missing (Debian's prometheus package; make deps)"
    run promtool check rules "$RULES_DIR/mogu.rules.yml"
    echo "$output"
    [ "$status" = 0 ]
    [[ $output == *"SUCCESS: 9 rules found"* ]]
    run bash -c "cd '$RULES_DIR' && promtool test rules mogu.rules.test.yml"
    echo "$output"
    [ "$status" = 0 ]
    [[ $output == *SUCCESS* ]]
}
