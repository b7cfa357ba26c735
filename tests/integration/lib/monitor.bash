# The mogu-monitor suites' helpers (monitor*.bats). Each suite writes its own
# $TEST_TMP/monitor.toml (with listen = "127.0.0.1:0") and then:
#   launch_monitor              starts mogu-monitor on it; sets MON_PID, MON_URL (…/metrics) and
#                               MON_ADDR (host:port) once it answers, else prints its log
#   scrape                      one GET of /metrics
#   metric_value METRIC [L...]  the value of the one series of METRIC whose labels contain each
#                               LABEL="VALUE" given
#   wait_until SECONDS 'COND'   polls a shell condition, then evaluates it once more for the record
#   free_port                   a TCP port nothing listens on now

MONITOR=${MOGU_BIN:-$MOGU_SRC/build/bin}/mogu-monitor

launch_monitor() {
    "$MONITOR" --config "$TEST_TMP/monitor.toml" </dev/null >"$TEST_TMP/monitor.log" 2>&1 3>&- 4>&- &
    MON_PID=$!
    local i
    for i in $(seq 100); do
        MON_URL=$(grep -o 'http://127.0.0.1:[0-9]*/metrics' "$TEST_TMP/monitor.log" | head -1)
        MON_ADDR=${MON_URL#http://}
        MON_ADDR=${MON_ADDR%/metrics}
        [[ -n $MON_URL ]] && curl -sf "$MON_URL" >/dev/null && return 0
        kill -0 "$MON_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "mogu-monitor did not start; its log:" >&2
    cat "$TEST_TMP/monitor.log" >&2
    return 1
}

scrape() { curl -sf --max-time 2 "$MON_URL"; }

metric_value() {
    local metric=$1 line l
    shift
    line=$(scrape | grep -E "^$metric(\{| )")
    for l in "$@"; do line=$(grep -F "$l" <<<"$line"); done
    [[ $(wc -l <<<"$line") == 1 && -n $line ]] || { echo "want one series of $metric with $*, got: $line" >&2; return 1; }
    echo "${line##* }"
}

wait_until() {
    local end=$((SECONDS + $1))
    while ((SECONDS < end)); do
        eval "$2" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    eval "$2"
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
