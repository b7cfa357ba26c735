#!/usr/bin/env bats
# Many containers at once, and concurrent verbs on one container.

load lib/runtime

setup() { runtime_setup; }
teardown() { runtime_teardown; }

@test "50 containers created, started and deleted concurrently with no error and no leak" {
    make_bundle
    set_args sleep 100
    local n=50 i pids=()
    for i in $(seq 1 $n); do
        (
            id=$ID-$i
            ID=$id
            cfg=$TEST_TMP/b$i
            mkdir -p "$cfg"
            ln -s "$FIXTURE_ROOTFS" "$cfg/rootfs"
            jq ".linux.cgroupsPath = \"$CGROUP_PARENT/$id\"" "$BUNDLE/config.json" >"$cfg/config.json"
            mogu create --bundle "$cfg" "$id" && mogu start "$id" && mogu delete --force "$id"
        ) >"$TEST_TMP/log.$i" 2>&1 &
        pids+=($!)
    done
    local failed=0
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || { failed=$((failed + 1)); cat "$TEST_TMP/log.$((i + 1))" >&2; }
    done
    [ "$failed" -eq 0 ]
    [ -z "$(ls -A "$ROOT")" ]
    for i in $(seq 1 $n); do assert_nothing_left "$ID-$i"; done
}

@test "concurrent verbs on one id are serialized by its lock" {
    make_bundle
    set_args sleep 100
    mogu create --bundle "$BUNDLE" "$ID"
    # Several starts race; exactly one wins, the others say the container already runs.
    local i ok=0
    for i in 1 2 3 4 5; do mogu start "$ID" >"$TEST_TMP/s$i" 2>&1 & done
    wait || true
    for i in 1 2 3 4 5; do [ -s "$TEST_TMP/s$i" ] || ok=$((ok + 1)); done
    [ "$ok" -eq 1 ]
    [ "$(status_of "$ID")" = running ]
}
