#!/usr/bin/env bats
# mogu stats and mogu top: the numbers checked against the cgroup files, containers coming and
# going between refreshes, and the live view driven in a real terminal (tmux).

load lib/runtime

setup() { runtime_setup; }
teardown() {
    [[ -n ${TMUX_SESSION:-} ]] && tmux kill-session -t "$TMUX_SESSION" 2>/dev/null
    runtime_teardown
}

# busy_and_idle: two running containers, $BUSY spinning, $IDLE asleep, each with limits. By
# name the idle one comes first, by CPU the busy one.
busy_and_idle() {
    BUSY=$ID-z IDLE=$ID-a
    make_bundle '.linux.resources.memory = {"limit": 134217728} | .linux.resources.pids = {"limit": 64}'
    edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$BUSY\""
    set_args sh -c 'while :; do :; done'
    run_detached "$BUSY"
    edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$IDLE\""
    set_args sleep 300
    run_detached "$IDLE"
}

cg_value() {  # cg_value ID CONTROLLER V1_FILE V2_FILE
    local mp
    mp=$(awk -v c="$2" '$9 == "cgroup" && $NF ~ "(^|,)"c"(,|$)" {print $5; exit}' /proc/self/mountinfo)
    if [[ -n $mp ]]; then cat "$mp$CGROUP_PARENT/$1/$3"; else cat "$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)$CGROUP_PARENT/$1/$4"; fi
}

@test "stats --format json agrees with the cgroup files" {
    busy_and_idle
    run mogu stats --format json "$BUSY" "$IDLE"
    [ "$status" -eq 0 ]
    local busy idle
    busy=$(jq -c --arg id "$BUSY" '.[] | select(.id == $id)' <<<"$output")
    idle=$(jq -c --arg id "$IDLE" '.[] | select(.id == $id)' <<<"$output")
    [ "$(jq .memory_limit <<<"$busy")" = 134217728 ]
    [ "$(jq .pids_limit <<<"$busy")" = 64 ]
    [ "$(jq .pids <<<"$idle")" = "$(cg_value "$IDLE" pids pids.current pids.current)" ]
    # Memory used: within a few pages of what the cgroup says now.
    local ours theirs
    ours=$(jq .memory_usage <<<"$idle")
    theirs=$(cg_value "$IDLE" memory memory.usage_in_bytes memory.current)
    (( ours > 0 && ours - theirs < 1048576 && theirs - ours < 1048576 ))
    # The spinning one uses about a CPU (a share of it on a loaded machine), the sleeping one
    # next to none.
    jq -e '.cpu_percent > 20' <<<"$busy"
    jq -e '.cpu_percent < 10' <<<"$idle"
    jq -e '.status == "running" and .oom_kills == 0' <<<"$busy"
    run mogu stats nosuch
    [ "$status" -eq 1 ]
    [[ $output == *"container nosuch does not exist"* ]]
}

@test "top --once lists every container, sorted by CPU, as a table and as JSON" {
    busy_and_idle
    run mogu top --once
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == CONTAINER* ]]
    [[ ${lines[1]} == "$BUSY "* ]]     # the busiest first
    [[ ${lines[2]} == "$IDLE "* ]]
    run mogu top --once --sort id --format json
    [ "$(jq -r '.[0].id' <<<"$output")" = "$IDLE" ]
    [ "$(jq length <<<"$output")" = 2 ]
    run mogu top --once --sort nonsense
    [ "$status" -eq 1 ]
    [[ $output == *"--sort must be cpu, mem, io, pids, load or id"* ]]
}

@test "top keeps going while containers come and go between refreshes" {
    make_bundle
    set_args sleep 300
    "$MOGU" --root "$ROOT" top --format json --interval 100ms >"$TEST_TMP/top.json" 2>"$TEST_TMP/top.err" &
    local top=$! i
    for i in 1 2 3 4 5; do
        edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$ID-$i\""
        run_detached "$ID-$i"
        # The first one stays until a refresh has shown it; the rest vanish at once, often
        # between top's listing and its reading of their state and cgroups.
        if [ "$i" = 1 ]; then
            wait_for "jq -e 'any(.[]; .id == \"$ID-1\")' '$TEST_TMP/top.json'"
        fi
        mogu delete --force "$ID-$i"
    done
    # A refresh after the last delete shows no container, and top is still running.
    wait_for "tail -n 1 '$TEST_TMP/top.json' | jq -e 'length == 0'"
    kill -0 "$top"
    kill -TERM "$top"
    wait "$top" || true
    # Every refresh is a whole JSON array.
    jq -e 'type == "array"' "$TEST_TMP/top.json" >/dev/null
    [ ! -s "$TEST_TMP/top.err" ]
}

@test "the live view in a terminal refreshes, sorts on a key and quits on q" {
    command -v tmux >/dev/null || skip "tmux is not installed"
    busy_and_idle
    TMUX_SESSION=mogu-top-$$
    tmux new-session -d -s "$TMUX_SESSION" -x 150 -y 20 "$MOGU --root $ROOT top --interval 300ms"
    wait_for 'tmux capture-pane -p -t "$TMUX_SESSION" | grep -q "^$IDLE "'
    local screen
    line_of() { grep -n "^$1 " <<<"$screen" | cut -d: -f1; }
    screen=$(tmux capture-pane -p -t "$TMUX_SESSION")
    [[ $screen == *"mogu top"* ]]
    (( $(line_of "$BUSY") < $(line_of "$IDLE") ))   # by CPU
    tmux send-keys -t "$TMUX_SESSION" n                # by name
    wait_for 'screen=$(tmux capture-pane -p -t "$TMUX_SESSION"); (( $(line_of "$IDLE") < $(line_of "$BUSY") ))'
    tmux send-keys -t "$TMUX_SESSION" c                # by CPU again
    wait_for 'screen=$(tmux capture-pane -p -t "$TMUX_SESSION"); (( $(line_of "$BUSY") < $(line_of "$IDLE") ))'
    tmux send-keys -t "$TMUX_SESSION" q
    wait_for '! tmux has-session -t "$TMUX_SESSION"'
    TMUX_SESSION=
}

@test "top over thousands of containers, some half written, lists each once and reads only the running" {
    make_bundle
    set_args true
    run_detached "$ID"
    wait_for "mogu state '$ID' | jq -e '.status == \"stopped\"'"
    set_args sleep 300
    edit_config ".linux.cgroupsPath = \"$CGROUP_PARENT/$ID-running\""
    run_detached "$ID-running"
    # 2000 more stopped containers: copies of the first one's state under other ids.
    # (One process writes them all: 2,000 mkdir processes take most of a minute here.)
    python3 - "$ROOT" "$ID" <<'PY'
import os, sys
root, cid = sys.argv[1], sys.argv[2]
state = open(f"{root}/{cid}/state.json").read()
assert f'"{cid}"' in state
for n in range(2000):
    os.mkdir(f"{root}/{cid}-s{n}")
    with open(f"{root}/{cid}-s{n}/state.json", "w") as f:
        f.write(state.replace(f'"{cid}"', f'"{cid}-s{n}"'))
PY
    # Being created (no state yet) and a state file cut short: neither is a container to show.
    mkdir "$ROOT/$ID-creating"
    head -c 20 "$ROOT/$ID/state.json" >"$ROOT/$ID-s7/state.json"
    local t0=$SECONDS
    mogu top --once --format json >"$TEST_TMP/top.json" 2>"$TEST_TMP/top.err"
    echo "# top --once over 2,000 containers took $((SECONDS - t0)) s" >&3
    [ ! -s "$TEST_TMP/top.err" ]
    output=$(<"$TEST_TMP/top.json")
    [ "$(jq length <<<"$output")" = 2001 ]
    [ "$(jq '[.[] | select(.status == "stopped")] | length' <<<"$output")" = 2000 ]
    jq -e --arg id "$ID-running" '[.[] | select(.id == $id and .status == "running" and .memory_usage > 0)] | length == 1' <<<"$output"
    jq -e --arg id "$ID-s7" 'all(.[]; .id != $id)' <<<"$output"
    [ "$(jq '[.[].id] | unique | length' <<<"$output")" = 2001 ]
    rm -rf "$ROOT/$ID"-s* "$ROOT/$ID-creating"
}
