#!/usr/bin/env bats
# The shim's Stats answer (what `ctr task metrics` decodes) carries mogu's extension fields:
# the container's PSI (cpu, memory, io) and, with the LXCFS views, its own load average.
# ctr's JSON drops fields it does not know, so the tests read the raw answer on the shim's
# socket with mogu-shim-stats (tests/tools/shim_stats.cpp, built by `make fixtures`).

load lib/containerd
load lib/lxcfs

RUNTIME=io.containerd.mogu.v2

# Why no container here has PSI files, or fails (returns 1) when they can: the cgroups library
# reads cpu/memory/io.pressure from the container's cgroup2 directory.
psi_missing() {
    [[ -e /proc/pressure/cpu ]] || { echo "the kernel has no PSI (no /proc/pressure/cpu: CONFIG_PSI off or psi=0)"; return 0; }
    [[ -n $(cgroup2_mount) ]] || { echo "no cgroup2 mount (a pure cgroup v1 host): no PSI files for a container's cgroup"; return 0; }
    return 1
}

cgroup2_mount() { awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo; }

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    local why
    export SHIM_STATS=$MOGU_BIN/../tests/tools/mogu-shim-stats
    if why=$(containerd_missing); then
        export SKIP_WHY=$why
        return 0
    fi
    [[ -x $MOGU_BIN/mogu ]] || { export SKIP_WHY="$MOGU_BIN/mogu not built"; return 0; }
    [[ -x $SHIM_STATS ]] || { export SKIP_WHY="$SHIM_STATS not built (make fixtures)"; return 0; }
    if why=$(psi_missing); then export PSI_SKIP=$why; fi
    if why=$(lxcfs_missing); then
        export LXCFS_SKIP=$why
    else
        export LXCFS_DIR
        LXCFS_DIR=$(mktemp -d /tmp/mogu-lxcfs.XXXXXX)
        start_lxcfs "$LXCFS_DIR"
        printf 'Lxcfs = "true"\nLxcfsPath = "%s"\n' "$LXCFS_MNT" >"$LXCFS_DIR/shim.toml"
    fi
    start_containerd
    export CTD_DIR CTD_SOCK
}

teardown_file() {
    [[ -n ${SKIP_WHY:-} ]] && return 0
    stop_containerd
    if [[ -n ${LXCFS_DIR:-} ]]; then
        stop_lxcfs "$LXCFS_DIR"
        rm -rf "$LXCFS_DIR"
    fi
}

setup() { [[ -z ${SKIP_WHY:-} ]] || skip "$SKIP_WHY"; }

# The raw Stats answer for container ID as JSON: {"type": ..., "metrics": {...}}.
shim_stats() {
    "$SHIM_STATS" "$(cat "$CTD_DIR/state/io.containerd.runtime.v2.task/$CTD_NS/$1/address")" "$1"
}

task_pid() { ctr_ task ls | awk -v id="$1" '$1 == id {print $2}'; }

# The container's cgroup2 directory, from where its init sits.
cgroup2_dir_of() { echo "$(cgroup2_mount)$(awk -F: '$1 == "0" {print $3}' "/proc/$1/cgroup")"; }

remove_task() {
    ctr_ task kill -s SIGKILL "$1" >/dev/null 2>&1 || true
    timeout 10 ctr_ task delete -f "$1" >/dev/null 2>&1 || true
    ctr_ containers delete "$1" >/dev/null 2>&1 || true
}

@test "Stats carries the container's cpu, memory and io pressure; busy loops under a small quota stall it" {
    [[ -z ${PSI_SKIP:-} ]] || skip "$PSI_SKIP"
    # Three busy loops in 0.2 CPU: runnable most of the time, running little.
    ctr_ run -d --runtime $RUNTIME --cpus 0.2 $CTD_IMAGE pm1 \
        sh -c 'while :; do :; done & while :; do :; done & while :; do :; done & wait' </dev/null
    local dir
    dir=$(cgroup2_dir_of "$(task_pid pm1)")
    if [[ ! -e $dir/cpu.pressure ]]; then
        remove_task pm1
        skip "the container's cgroup2 directory $dir has no cpu.pressure"
    fi
    # PSI's averages are recomputed every 2 s.
    local json i
    for i in $(seq 50); do
        json=$(shim_stats pm1)
        jq -e '(.metrics.cpu_pressure.some.total // "0" | tonumber) > 0 and .metrics.cpu_pressure.some.avg10 > 0' <<<"$json" >/dev/null 2>&1 && break
        sleep 0.2
    done
    echo "$json"
    jq -e '(.metrics.cpu_pressure.some.total | tonumber) > 0 and .metrics.cpu_pressure.some.avg10 > 0' <<<"$json"
    echo "# cpu_pressure $(jq -c .metrics.cpu_pressure <<<"$json")" >&3
    # Every resource, some and full, with the four numbers.
    jq -e '[.metrics | (.cpu_pressure, .memory_pressure, .io_pressure) | (.some, .full)
            | has("avg10") and has("avg60") and has("avg300") and has("total")] | length == 6 and all' <<<"$json"
    # The numbers are the cgroup's: the file read after the answer has stalled at least as long.
    local file_total
    file_total=$(awk '$1 == "some" {sub("total=", "", $5); print $5}' "$dir/cpu.pressure")
    jq -e --argjson t "$file_total" '(.metrics.cpu_pressure.some.total | tonumber) <= $t' <<<"$json"
    # No LXCFS views: no load average, rather than zeros.
    jq -e '.metrics | has("load_average") | not' <<<"$json"
    # ctr, which does not know the extension fields, still decodes the answer.
    run ctr_ task metrics pm1
    [ "$status" -eq 0 ]
    [[ $output == *pm1* ]]
    run ctr_ task metrics --format json pm1
    [ "$status" -eq 0 ]
    jq -e '.' <<<"$output" >/dev/null
    remove_task pm1
}

@test "with the LXCFS views Stats carries the container's load average, busy loops raise it, and it goes with LXCFS" {
    [[ -z ${LXCFS_SKIP:-} ]] || skip "$LXCFS_SKIP"
    ctr_ run -d --runtime $RUNTIME --runtime-config-path "$LXCFS_DIR/shim.toml" --cpus 0.5 $CTD_IMAGE pl1 sleep 600 </dev/null
    local json idle
    json=$(shim_stats pl1)
    echo "$json"
    jq -e '.metrics.load_average | has("load1") and has("load5") and has("load15")' <<<"$json"
    idle=$(jq '.metrics.load_average.load1' <<<"$json")
    ctr_ task exec -d --exec-id busy pl1 sh -c 'while :; do :; done & while :; do :; done & wait'
    # LXCFS samples every 5 s; the 1-minute average of two busy tasks passes 0.2 within ~10 s.
    local i load1=0
    for i in $(seq 60); do
        json=$(shim_stats pl1)
        load1=$(jq ".metrics.load_average.load1 // 0" <<<"$json")
        awk -v l="$load1" -v i="$idle" 'BEGIN {exit !(l >= 0.2 && l > i)}' && break
        sleep 0.5
    done
    echo "idle $idle, busy $load1: $json"
    awk -v l="$load1" -v i="$idle" 'BEGIN {exit !(l >= 0.2 && l > i)}'
    echo "# load_average idle $idle, busy $(jq -c .metrics.load_average <<<"$json")" >&3
    jq -e '(.metrics.load_average.tasks | tonumber) >= 3' <<<"$json"
    # The same number the container sees in its /proc/loadavg (LXCFS's view), within a sample.
    run ctr_ task exec --exec-id la pl1 cat /proc/loadavg
    [ "$status" -eq 0 ]
    awk -v inside="${output%% *}" 'BEGIN {exit !(inside >= 0.2)}'
    # With LXCFS gone, the load average is absent; the rest of the answer is still there.
    stop_lxcfs "$LXCFS_DIR" -KILL
    json=$(shim_stats pl1)
    echo "$json"
    jq -e '.metrics | has("load_average") | not' <<<"$json"
    jq -e '.metrics | has("cpu") and has("memory")' <<<"$json"
    remove_task pl1
}
