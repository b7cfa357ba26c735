#!/bin/bash
# What watching the node costs, side by side in one run:
#   mogu-monitor         BENCH_MON_CONTAINERS (100) sleeping containers run by `mogu` directly,
#                        collected every 10 s: one scrape of /metrics (wall time, median of 20),
#                        one collection (mogu_monitor_collection_duration_seconds), RSS, and CPU
#                        time over BENCH_MON_WINDOW seconds (30) with a scrape every 10 s as
#                        Prometheus would, scaled to one minute
#   node-exporter        Debian's prometheus-node-exporter (default collectors), the host part:
#                        the same scrape, RSS and CPU figures in the same window
#   containerd /v1/metrics  a private containerd 1.6 with `[metrics] address`, BENCH_CTD_TASKS
#                        (100) tasks run with the mogu shim: its cgroup metrics per task; RSS
#                        and CPU of containerd (the shims' share of each scrape is added)
# node-exporter collects on every scrape and containerd asks every shim for its task's metrics
# on every scrape, so their CPU is the scrapes'; mogu-monitor's is its collections'.
set -euo pipefail
cd "$(dirname "$0")/.."
MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
export MOGU_SRC=$PWD MOGU_BIN
MOGU=$MOGU_BIN/mogu
MONITOR=$MOGU_BIN/mogu-monitor
N=${BENCH_MON_CONTAINERS:-100}
CTD_N=${BENCH_CTD_TASKS:-100}
WINDOW=${BENCH_MON_WINDOW:-30}
SCRAPES=${BENCH_MON_SCRAPES:-20}
source tests/lib/cgroups.bash
CTD_NS=mogu-bench-monitor
source tests/integration/lib/containerd.bash

work=$(mktemp -d /tmp/mogu-bench-monitor.XXXXXX)
root=$work/state
MON_PID= NE_PID=
cleanup() {
    [[ -n $MON_PID ]] && { kill "$MON_PID" 2>/dev/null; wait "$MON_PID" 2>/dev/null || true; }
    [[ -n $NE_PID ]] && { kill "$NE_PID" 2>/dev/null; wait "$NE_PID" 2>/dev/null || true; }
    local id
    for id in $("$MOGU" --root "$root" list -q 2>/dev/null); do "$MOGU" --root "$root" delete -f "$id" >/dev/null 2>&1 || true; done
    stop_containerd >/dev/null 2>&1 || true
    # What a shim killed mid-way may have left in its root.
    for id in $("$MOGU" --root "/run/containerd/mogu/$CTD_NS" list -q 2>/dev/null); do
        "$MOGU" --root "/run/containerd/mogu/$CTD_NS" delete -f "$id" >/dev/null 2>&1 || true
    done
    rmdir "/run/containerd/mogu/$CTD_NS" 2>/dev/null || true
    rm -rf "$work"
    remove_cgroup_parent /mogu-bench-monitor
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) {print 0; exit} print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
# ms of one curl GET, median of SCRAPES, after one warm-up.
scrape_ms() {
    local url=$1
    curl -sf -o /dev/null "$url"
    for ((i = 0; i < SCRAPES; i++)); do curl -sf -o /dev/null -w '%{time_total}\n' "$url"; done | median | awk '{printf "%.1f", $1 * 1000}'
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# CPU time of a process, all its threads, in ns (schedstat: finer than stat's 10 ms ticks).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{t += $1} END {printf "%.0f\n", t}'; }  # not %d: mawk caps it at 2^31
pct() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b}'; }

# ---- 1. N containers run by mogu directly, watched by mogu-monitor every 10 s.
mkdir -p "$work/bundle"
ln -s "$PWD/tests/fixtures/out/rootfs" "$work/bundle/rootfs"
(cd "$work/bundle" && "$MOGU" spec)
jq '.process.terminal = false | .process.args = ["sleep", "3600"] | .linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 64}' \
    "$work/bundle/config.json" >"$work/config.json"
t0=$SECONDS
for ((i = 0; i < N; i++)); do
    jq ".linux.cgroupsPath = \"/mogu-bench-monitor/c$i\"" "$work/config.json" >"$work/bundle/config.json"
    "$MOGU" --root "$root" run -d --bundle "$work/bundle" "c$i" </dev/null >/dev/null 2>&1
done
echo "$N containers started by mogu in $((SECONDS - t0)) s"

mon_port=$(free_port)
printf 'listen = "127.0.0.1:%s"\ninterval = "10s"\n[containers]\nroots = ["%s"]\n' "$mon_port" "$root" >"$work/monitor.toml"
"$MONITOR" --config "$work/monitor.toml" </dev/null >"$work/monitor.log" 2>&1 &
MON_PID=$!
ne_port=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" </dev/null >"$work/node-exporter.log" 2>&1 &
NE_PID=$!
for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$mon_port/metrics" && curl -sf -o /dev/null "http://127.0.0.1:$ne_port/metrics" && break
    sleep 0.1
done
mon_url=http://127.0.0.1:$mon_port/metrics
ne_url=http://127.0.0.1:$ne_port/metrics
seen=$(curl -sf "$mon_url" | awk '/^mogu_monitor_containers / {print $2}')
[[ $seen == "$N" ]] || { echo "mogu-monitor sees $seen containers, not $N"; exit 1; }
mon_scrape=$(scrape_ms "$mon_url")
ne_scrape=$(scrape_ms "$ne_url")
mon_bytes=$(curl -sf "$mon_url" | wc -c)
ne_bytes=$(curl -sf "$ne_url" | wc -c)
# The page and the JSON, made on request from the same collection.
page_ms=$(scrape_ms "http://127.0.0.1:$mon_port/")
page_bytes=$(curl -sf "http://127.0.0.1:$mon_port/" | wc -c)

# CPU over the window: both scraped every 10 s, as by one Prometheus.
mon_c0=$(cpu_ns "$MON_PID") ne_c0=$(cpu_ns "$NE_PID") w0=$EPOCHREALTIME
for ((s = 0; s < WINDOW; s += 10)); do
    curl -sf -o /dev/null "$mon_url"
    curl -sf -o /dev/null "$ne_url"
    sleep 10
done
mon_c1=$(cpu_ns "$MON_PID") ne_c1=$(cpu_ns "$NE_PID") w1=$EPOCHREALTIME
window_s=$(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.1f", b - a}')
per_min() { awk -v t="$1" -v w="$window_s" 'BEGIN {printf "%.0f", t / 1e6 * 60 / w}'; }
mon_cpu=$(per_min $((mon_c1 - mon_c0)))
ne_cpu=$(per_min $((ne_c1 - ne_c0)))
collect_ms=$(curl -sf "$mon_url" | awk '/^mogu_monitor_collection_duration_seconds / {printf "%.1f", $2 * 1000}')
mon_rss=$(rss_kb "$MON_PID")
ne_rss=$(rss_kb "$NE_PID")
mon_anon=$(awk '/^RssAnon/ {print $2}' "/proc/$MON_PID/status")
load=$(cut -d' ' -f1-3 /proc/loadavg)
kill "$MON_PID" "$NE_PID"
wait "$MON_PID" "$NE_PID" 2>/dev/null || true
MON_PID= NE_PID=
for id in $("$MOGU" --root "$root" list -q); do "$MOGU" --root "$root" delete -f "$id" >/dev/null 2>&1 || true; done

# ---- 2. containerd's own metrics endpoint over CTD_N tasks of the mogu shim.
ctd_scrape=- ctd_rss=- ctd_cpu=- ctd_shims_cpu=- ctd_bytes=- ctd_started=0 ctd_why=
if (( CTD_N == 0 )); then
    echo "containerd part skipped (BENCH_CTD_TASKS=0)"
elif ctd_why=$(containerd_missing); then
    echo "containerd part skipped: $ctd_why"
else
    ctd_port=$(free_port)
    CTD_METRICS=127.0.0.1:$ctd_port start_containerd
    t0=$SECONDS
    for ((i = 0; i < CTD_N; i++)); do
        ctr_ run -d --runtime io.containerd.mogu.v2 --memory-limit 67108864 "$CTD_IMAGE" "b$i" sleep 3600 </dev/null >/dev/null 2>&1 && ctd_started=$((ctd_started + 1))
    done
    echo "$ctd_started containerd tasks (mogu shim) started in $((SECONDS - t0)) s"
    ctd_url=http://127.0.0.1:$ctd_port/v1/metrics
    ctd_scrape=$(scrape_ms "$ctd_url")
    ctd_bytes=$(curl -sf "$ctd_url" | wc -c)
    # The shims of our namespace (the mogu shim writes no shim.pid): by their command line.
    shims=$(grep -la -- "$CTD_NS" /proc/[0-9]*/cmdline 2>/dev/null | xargs -r grep -la containerd-shim-mogu-v2 2>/dev/null | cut -d/ -f3 || true)
    shim_ns() { local t=0 p; for p in $shims; do t=$((t + $(cpu_ns "$p"))); done; echo $t; }
    c0=$(cpu_ns "$CTD_PID") s0=$(shim_ns) w0=$EPOCHREALTIME
    for ((s = 0; s < WINDOW; s += 10)); do
        curl -sf -o /dev/null "$ctd_url"
        sleep 10
    done
    c1=$(cpu_ns "$CTD_PID") s1=$(shim_ns) w1=$EPOCHREALTIME
    window_s=$(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.1f", b - a}')
    ctd_cpu=$(per_min $((c1 - c0)))
    ctd_shims_cpu=$(per_min $((s1 - s0)))
    ctd_rss=$(rss_kb "$CTD_PID")
    stop_containerd >/dev/null 2>&1
    rmdir "/run/containerd/mogu/$CTD_NS" 2>/dev/null || true
fi

# ---- The table.
echo "load average at the end of the monitor's window: $load; CPU measured over ${WINDOW} s with a scrape every 10 s, scaled to one minute"
printf '%-34s %14s %14s %16s %10s %10s\n' measurement mogu-monitor node-exporter "containerd" "ne/mogu" "ctd/mogu"
printf '%-34s %14s %14s %16s %10s %10s\n' "watching" "$N containers" "the host" "$ctd_started tasks" "" ""
printf '%-34s %14s %14s %16s %10s %10s\n' "one scrape, median of $SCRAPES (ms)" "$mon_scrape" "$ne_scrape" "$ctd_scrape" \
    "$(pct "$ne_scrape" "$mon_scrape")" "$(pct "$ctd_scrape" "$mon_scrape")"
printf '%-34s %14s %14s %16s %10s %10s\n' "one scrape's size (kB)" "$((mon_bytes / 1024))" "$((ne_bytes / 1024))" \
    "$([[ $ctd_bytes == - ]] && echo - || echo $((ctd_bytes / 1024)))" "" ""
printf '%-34s %14s %14s %16s %10s %10s\n' "RSS (kB)" "$mon_rss" "$ne_rss" "$ctd_rss" "$(pct "$ne_rss" "$mon_rss")" "$(pct "$ctd_rss" "$mon_rss")"
printf '%-34s %14s %14s %16s %10s %10s\n' "CPU per minute (ms)" "$mon_cpu" "$ne_cpu" "$ctd_cpu" "$(pct "$ne_cpu" "$mon_cpu")" "$(pct "$ctd_cpu" "$mon_cpu")"
printf '%-34s %14s %14s %16s\n' "  of one core (%)" "$(awk -v m="$mon_cpu" 'BEGIN {printf "%.3f", m / 600}')" \
    "$(awk -v m="$ne_cpu" 'BEGIN {printf "%.3f", m / 600}')" "$([[ $ctd_cpu == - ]] && echo - || awk -v m="$ctd_cpu" 'BEGIN {printf "%.3f", m / 600}')"
printf '%-34s %14s %14s %16s\n' "  the shims' share (ms per minute)" "" "" "$ctd_shims_cpu"
echo "mogu-monitor: one collection of $N containers took $collect_ms ms (it runs every 10 s; a scrape serves the last one);" \
    "RssAnon $mon_anon kB; the status page for $N containers: $page_ms ms, $((page_bytes / 1024)) kB"
echo "goals: scrape <= 20 ms, RSS <= 8192 kB, CPU <= 1% of a core (600 ms per minute)"
