#!/usr/bin/env bats
# LXCFS views through containerd and the mogu shim: the shim's options turn them on, and the
# shim repairs them by itself after LXCFS is killed and restarted.

load lib/containerd
load lib/lxcfs

RUNTIME=io.containerd.mogu.v2

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    local why
    if why=$(containerd_missing) || why=$(lxcfs_missing); then
        export SKIP_WHY=$why
        return 0
    fi
    export LXCFS_DIR
    LXCFS_DIR=$(mktemp -d /tmp/mogu-lxcfs.XXXXXX)
    start_lxcfs "$LXCFS_DIR"
    export LXCFS_MNT
    # The options a containerd runtime class (or CRI's ConfigPath) would name.
    printf 'Lxcfs = "true"\nLxcfsPath = "%s"\n' "$LXCFS_MNT" >"$LXCFS_DIR/shim.toml"
    start_containerd
    export CTD_DIR CTD_SOCK
}

teardown_file() {
    [[ -n ${SKIP_WHY:-} ]] && return 0
    stop_containerd
    stop_lxcfs "$LXCFS_DIR"
    rm -rf "$LXCFS_DIR"
}

setup() { [[ -z ${SKIP_WHY:-} ]] || skip "$SKIP_WHY"; }

mem_total_kb() { awk '/^MemTotal:/ {print $2}' <<<"$1"; }

@test "the shim's Lxcfs option gives a container its own /proc/meminfo" {
    run ctr_ run --rm --runtime $RUNTIME --runtime-config-path "$LXCFS_DIR/shim.toml" --memory-limit 268435456 \
        $CTD_IMAGE lx1 head -1 /proc/meminfo </dev/null
    [ "$status" -eq 0 ]
    [ "$(mem_total_kb "$output")" = 262144 ]
    # Without the option, the host's.
    run ctr_ run --rm --runtime $RUNTIME --memory-limit 268435456 $CTD_IMAGE lx2 head -1 /proc/meminfo </dev/null
    [ "$(mem_total_kb "$output")" != 262144 ]
}

@test "after LXCFS is killed and restarted the shim repairs the views within 5 s, the container keeps running" {
    ctr_ run -d --runtime $RUNTIME --runtime-config-path "$LXCFS_DIR/shim.toml" --memory-limit 268435456 \
        $CTD_IMAGE lx3 sleep 300 </dev/null
    local pid
    pid=$(ctr_ task ls | awk '$1 == "lx3" {print $2}')
    run ctr_ task exec --exec-id m1 lx3 head -1 /proc/meminfo
    [ "$(mem_total_kb "$output")" = 262144 ]
    stop_lxcfs "$LXCFS_DIR" -KILL
    run ctr_ task exec --exec-id m2 lx3 head -1 /proc/meminfo
    [[ $output == *"Transport endpoint is not connected"* ]]
    start_lxcfs "$LXCFS_DIR"
    local started i ok=
    started=$(date +%s%N)
    for i in $(seq 100); do
        run ctr_ task exec --exec-id "r$i" lx3 head -1 /proc/meminfo
        if [[ $status -eq 0 && $(mem_total_kb "$output") == 262144 ]]; then ok=$i; break; fi
        (( $(date +%s%N) - started < 5000000000 )) || break
        sleep 0.1
    done
    [ -n "$ok" ]
    echo "# repaired $(( ($(date +%s%N) - started) / 1000000 )) ms after LXCFS came back" >&3
    [ "$(ctr_ task ls | awk '$1 == "lx3" {print $2}')" = "$pid" ]
    ctr_ task kill -s SIGKILL lx3
    ctr_ task delete -f lx3 >/dev/null 2>&1 || true
    ctr_ containers delete lx3
}
