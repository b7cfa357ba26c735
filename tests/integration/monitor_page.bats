#!/usr/bin/env bats
# mogu-monitor's status page, its JSON and `mogu-monitor status`, against real containers run by
# mogu directly: Debian's headless Chromium loads the page, the test saves a screenshot and
# checks the DOM Chromium built (ids, a memory figure against the cgroup file, sparklines, a pod
# name with <script> in it shown as text).
#
# Screenshots land in $MOGU_TEST_OUTPUT/monitor_page/ (default build/test-output/), which
# outlives the test.

load lib/runtime
load lib/monitor

OUTPUT=${MOGU_TEST_OUTPUT:-$MOGU_SRC/${BUILD:-build}/test-output}/monitor_page
EVIL_POD='<script>document.title="owned"</script><b>pod</b>'

setup() {
    runtime_setup
    [[ -x $MONITOR ]] || { echo "mogu-monitor missing at $MONITOR (run make)" >&2; return 1; }
    CHROMIUM=$(command -v chromium || true)
    mkdir -p "$OUTPUT"
}

teardown() {
    [[ -n ${MON_PID:-} ]] && { kill "$MON_PID" 2>/dev/null; wait "$MON_PID" 2>/dev/null || true; }
    runtime_teardown
}

# start_monitor: mogu-monitor on a port the kernel picks, collecting every 200 ms from $ROOT;
# sets MON_PID and MON_ADDR (host:port) once it answers.
start_monitor() {
    printf 'listen = "127.0.0.1:0"\ninterval = "200ms"\n[containers]\nroots = ["%s"]\n' "$ROOT" >"$TEST_TMP/monitor.toml"
    launch_monitor
}

api_status() { curl -sf "http://$MON_ADDR/api/status"; }

# run_holder ID [JQ_FILTER...]: a container with a 64 MiB memory and a 32 PID limit, its own
# cgroup, that keeps 16 MiB in its tmpfs /tmp.
run_holder() {
    local id=$1
    shift
    make_bundle '.linux.resources.memory.limit = 67108864' '.linux.resources.pids.limit = 32' \
        ".linux.cgroupsPath = \"$CGROUP_PARENT/$id\"" "$@"
    set_args /bin/sh -c 'dd if=/dev/zero of=/tmp/fill bs=1M count=16 2>/dev/null; exec sleep 300'
    run_detached "$id"
    wait_for "[[ \$(mogu state $id | jq -r .status) == running ]]"
}

cgroup_memory_usage() {
    local id=$1 m
    for m in $(cgroup_mounts); do
        [[ -f $m$CGROUP_PARENT/$id/memory.usage_in_bytes ]] && { cat "$m$CGROUP_PARENT/$id/memory.usage_in_bytes"; return; }
        [[ -f $m$CGROUP_PARENT/$id/memory.current ]] && { cat "$m$CGROUP_PARENT/$id/memory.current"; return; }
    done
    echo "no memory cgroup for $id" >&2
    return 1
}

# Headless Chromium as root: no sandbox (it refuses root with one), a profile of its own.
chromium_headless() {
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-dev-shm-usage \
        --user-data-dir="$TEST_TMP/chromium" --hide-scrollbars "$@" 2>>"$TEST_TMP/chromium.log"
}

@test "headless Chromium shows the containers, their memory against the cgroup, sparklines, and escapes a pod name" {
    [[ -n $CHROMIUM ]] || skip "chromium missing (Debian's chromium package; make deps)"
    run_holder "$ID-web" ".annotations[\"io.kubernetes.cri.sandbox-name\"] = $(jq -Rn --arg p "$EVIL_POD" '$p')" \
        '.annotations["io.kubernetes.cri.sandbox-namespace"] = "shop"' '.annotations["io.kubernetes.cri.container-name"] = "web"'
    run_holder "$ID-db"
    start_monitor
    wait_until 10 "(( \$(cgroup_memory_usage $ID-web) >= 16 << 20 ))"
    # Two history points (10 s apart), so the sparklines are lines, not dots.
    wait_until 25 "api_status | jq -e '[.containers[] | .history.memory_used_bytes | length >= 2] | all'"

    # The DOM as Chromium built it from the page.
    local before after
    before=$(cgroup_memory_usage "$ID-web")
    chromium_headless --dump-dom "http://$MON_ADDR/" >"$TEST_TMP/dom.html"
    after=$(cgroup_memory_usage "$ID-web")
    cp "$TEST_TMP/dom.html" "$OUTPUT/status-page.dom.html"
    grep -q '<section id="containers">' "$TEST_TMP/dom.html"
    grep -q ">$ID-web</span>" "$TEST_TMP/dom.html"
    grep -q ">$ID-db</span>" "$TEST_TMP/dom.html"
    # The pod name is text on the page: no <script> or <b> element came of it, and the title is
    # the page's own (the script did not run).
    grep -qF 'pod shop/&lt;script&gt;document.title="owned"&lt;/script&gt;&lt;b&gt;pod&lt;/b&gt;' "$TEST_TMP/dom.html"
    ! grep -q '<script' "$TEST_TMP/dom.html" || false
    ! grep -q '<b>pod</b>' "$TEST_TMP/dom.html" || false
    grep -q '<title>mogu-monitor: 2 containers</title>' "$TEST_TMP/dom.html"
    # Memory: the figure the page shows for the container, against its cgroup file read around.
    local row shown
    row=$(grep -F "$ID-web</span>" "$TEST_TMP/dom.html")
    shown=$(grep -o 'data-memory-bytes="[0-9]*"' <<<"$row" | grep -o '[0-9]*')
    echo "cgroup before $before, page $shown, cgroup after $after"
    local lo=$((before < after ? before : after)) hi=$((before > after ? before : after))
    (( shown >= lo - 262144 && shown <= hi + 262144 ))
    grep -q '/ 64 MiB (' <<<"$row"
    # Sparklines: lines drawn for this container's row, tasks against the limit.
    (( $(grep -o '<svg class="spark"' <<<"$row" | wc -l) >= 4 ))
    grep -q '<polyline points="[0-9., ]*"' <<<"$row"
    grep -qE '>[0-9]+ / 32<' <<<"$row"
    grep -q 'id="no-alerts"' "$TEST_TMP/dom.html"

    # The screenshot, for people (and the docs).
    chromium_headless --screenshot="$OUTPUT/status-page.png" --window-size=1280,480 "http://$MON_ADDR/" >/dev/null
    [[ $(head -c 8 "$OUTPUT/status-page.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]
    (( $(stat -c %s "$OUTPUT/status-page.png") > 10000 ))
}

@test "GET /api/status gives each container's figures, limits and history as JSON" {
    run_holder "$ID-web"
    start_monitor
    wait_until 10 "(( \$(cgroup_memory_usage $ID-web) >= 16 << 20 ))"
    wait_until 5 "api_status | jq -e '.containers[0].memory_used_bytes >= 16 * 1048576'"
    api_status >"$TEST_TMP/status.json"
    jq . "$TEST_TMP/status.json" >/dev/null
    [ "$(jq -r '.containers | length' "$TEST_TMP/status.json")" = 1 ]
    [ "$(jq -r '.containers[0].name' "$TEST_TMP/status.json")" = "$ID-web" ]
    [ "$(jq -r '.containers[0].cgroup' "$TEST_TMP/status.json")" = "$CGROUP_PARENT/$ID-web" ]
    [ "$(jq -r '.containers[0].memory_limit_bytes' "$TEST_TMP/status.json")" = 67108864 ]
    [ "$(jq -r '.containers[0].pids_limit' "$TEST_TMP/status.json")" = 32 ]
    [ "$(jq -r '.history_points' "$TEST_TMP/status.json")" = 90 ]
    [ "$(jq -r '.alerting.enabled' "$TEST_TMP/status.json")" = true ]
    # No [[rules]] in this config: the built-in OOM alert is the one rule watched.
    [ "$(jq -r '.alerting.rules' "$TEST_TMP/status.json")" = 1 ]
    [ "$(jq -r '.alerting.firing | length' "$TEST_TMP/status.json")" = 0 ]
    curl -sfI "http://$MON_ADDR/api/status" | grep -qi '^content-type: application/json'
    curl -sfI "http://$MON_ADDR/" | grep -qi '^content-type: text/html; charset=utf-8'
    # A deleted container leaves the board (and its history) at the next collection.
    mogu delete --force "$ID-web"
    wait_until 5 "[ \"\$(api_status | jq '.containers | length')\" = 0 ]"
}

@test "mogu-monitor status prints the running monitor's view, one container when asked" {
    run_holder "$ID-web" '.annotations["io.kubernetes.cri.sandbox-name"] = "shop-1"' \
        '.annotations["io.kubernetes.cri.sandbox-namespace"] = "shop"'
    run_holder "$ID-db"
    start_monitor
    wait_until 10 "(( \$(cgroup_memory_usage $ID-web) >= 16 << 20 ))"
    wait_until 5 "api_status | jq -e '[.containers[].memory_used_bytes >= 16 * 1048576] | all'"
    run "$MONITOR" --config "$TEST_TMP/monitor.toml" status --address "$MON_ADDR"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "mogu-monitor "*" at http://$MON_ADDR: 2 containers, collected "* ]]
    [[ $output == *"alerts: none firing"* ]]
    [[ $output == *CONTAINER*POD*CPU*MEMORY* ]]
    grep -E "^$ID-web +shop/shop-1 .* / 64 MiB .* [0-9]+/32 " <<<"$output"
    grep -E "^$ID-db +- " <<<"$output"
    # One container by its id.
    run "$MONITOR" --config "$TEST_TMP/monitor.toml" status --address "$MON_ADDR" "$ID-db"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"$ID-db"* && $output != *"$ID-web"* ]]
    # --json is the endpoint's document.
    run "$MONITOR" --config "$TEST_TMP/monitor.toml" status --address "$MON_ADDR" --json
    [ "$status" -eq 0 ]
    [ "$(jq -r '.containers | length' <<<"$output")" = 2 ]
}

@test "mogu-monitor status names the address when no monitor answers, and port 0 in the config" {
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    run "$MONITOR" status --address "127.0.0.1:$port"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == "mogu-monitor: GET http://127.0.0.1:$port/api/status: Connection refused (is mogu-monitor running and listening there?)" ]]
    printf 'listen = "127.0.0.1:0"\n' >"$TEST_TMP/zero.toml"
    run "$MONITOR" --config "$TEST_TMP/zero.toml" status
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"listens on port 0"*"--address HOST:PORT"* ]]
}
