# A private containerd 1.6 for tests: its own config, root, state and socket under one temp
# directory, the fixture image imported, and everything torn down again.
#   start_containerd            sets CTD_DIR, CTD_SOCK, CTD_PID; exports PATH with the shim first
#   ctr_ ARGS...                ctr against it in namespace $CTD_NS
#   stop_containerd             kills tasks, containerd and leftover shims; unmounts; removes CTD_DIR
# The shim runs the OCI runtime named by $MOGU_SHIM_RUNTIME when set (see docs/containerd.md).
# CTD_BINARY: the containerd executable to start (default: containerd from PATH), e.g. a copy
# under a name of its own for a test that finds the daemon by its executable's name.

CTD_NS=${CTD_NS:-mogu-test}
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/cgroups.bash"
CTD_IMAGE=docker.io/mogu/busybox:latest
CTD_IMAGE_TAR=${MOGU_SRC:-$PWD}/tests/fixtures/out/busybox-oci.tar

containerd_missing() {
    command -v containerd >/dev/null && command -v ctr >/dev/null || { echo "containerd/ctr not installed"; return 0; }
    [[ -x $MOGU_BIN/containerd-shim-mogu-v2 ]] || { echo "$MOGU_BIN/containerd-shim-mogu-v2 not built"; return 0; }
    [[ -f $CTD_IMAGE_TAR ]] || { echo "$CTD_IMAGE_TAR missing (make fixtures)"; return 0; }
    [[ $(id -u) == 0 ]] || { echo "needs root"; return 0; }
    return 1
}

ctr_() { ctr --address "$CTD_SOCK" --namespace "$CTD_NS" "$@"; }

# The runtime state directory the mogu shim passes as --root for this containerd namespace.
runtime_root() { echo "/run/containerd/mogu/$CTD_NS"; }

# Waits until `ctr task ls` shows TASK in STATE (or the task is gone for STATE=gone).
wait_task_state() {
    local id=$1 want=$2
    for _ in $(seq 300); do
        local line
        line=$(ctr_ task ls 2>/dev/null | awk -v id="$id" '$1 == id {print $3}')
        [[ $want == gone && -z $line ]] && return 0
        [[ $line == "$want" ]] && return 0
        sleep 0.1
    done
    echo "task $id did not reach $want; ctr task ls:" >&2
    ctr_ task ls >&2
    return 1
}

write_containerd_config() {
    cat >"$CTD_DIR/config.toml" <<EOF
version = 2
root = "$CTD_DIR/root"
state = "$CTD_DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$CTD_SOCK"
[debug]
  level = "${CTD_LOG_LEVEL:-info}"
EOF
    # CTD_METRICS=host:port: containerd's Prometheus endpoint (/v1/metrics), off by default.
    [[ -z ${CTD_METRICS:-} ]] || printf '[metrics]\n  address = "%s"\n' "$CTD_METRICS" >>"$CTD_DIR/config.toml"
}

# Starts (or restarts, keeping CTD_DIR) containerd and waits until it answers.
launch_containerd() {
    # No inherited fds beyond the log: bats waits for every holder of its output to close it.
    PATH="$MOGU_BIN:$PATH" "${CTD_BINARY:-containerd}" --config "$CTD_DIR/config.toml" </dev/null >>"$CTD_DIR/containerd.log" 2>&1 3>&- 4>&- &
    CTD_PID=$!
    echo "$CTD_PID" >"$CTD_DIR/containerd.pid"
    for _ in $(seq 100); do
        ctr --address "$CTD_SOCK" version >/dev/null 2>&1 && return 0
        kill -0 "$CTD_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "containerd did not start; its log:" >&2
    tail -20 "$CTD_DIR/containerd.log" >&2
    return 1
}

start_containerd() {
    CTD_DIR=$(mktemp -d /tmp/mogu-ctd.XXXXXX)
    CTD_SOCK=$CTD_DIR/containerd.sock
    write_containerd_config
    launch_containerd
    ctr_ images import "$CTD_IMAGE_TAR" >/dev/null
}

# The shims that serve this containerd's containers, by the pid file the shim writes.
containerd_shim_pids() {
    local f
    for f in "$CTD_DIR"/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
        [[ -f $f ]] && echo "$(<"$f")"   # the file has no newline, as containerd's shims write it
    done
    return 0
}

stop_containerd() {
    [[ -n ${CTD_DIR:-} && -d $CTD_DIR ]] || return 0
    local ctd_namespaces=
    CTD_PID=$(cat "$CTD_DIR/containerd.pid" 2>/dev/null)  # a test may have restarted it
    if [[ -n ${CTD_PID:-} ]] && kill -0 "$CTD_PID" 2>/dev/null; then
        local ns t
        ctd_namespaces=$(ctr --address "$CTD_SOCK" namespaces ls -q 2>/dev/null)
        for ns in $ctd_namespaces; do
            for t in $(ctr --address "$CTD_SOCK" -n "$ns" tasks ls -q 2>/dev/null); do
                ctr --address "$CTD_SOCK" -n "$ns" tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
                timeout 10 ctr --address "$CTD_SOCK" -n "$ns" tasks delete -f "$t" >/dev/null 2>&1 || true
            done
            for t in $(ctr --address "$CTD_SOCK" -n "$ns" containers ls -q 2>/dev/null); do
                ctr --address "$CTD_SOCK" -n "$ns" containers delete "$t" >/dev/null 2>&1 || true
            done
        done
    fi
    local pids
    pids=$(containerd_shim_pids)
    if [[ -n ${CTD_PID:-} ]] && kill "$CTD_PID" 2>/dev/null; then
        for _ in $(seq 50); do kill -0 "$CTD_PID" 2>/dev/null || break; sleep 0.1; done
    fi
    # shellcheck disable=SC2086
    [[ -z $pids ]] || kill -9 $pids 2>/dev/null || true
    { grep -o " $CTD_DIR[^ ]*" /proc/self/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$CTD_DIR"
    CTD_DIR=
    # containerd puts a namespace's containers under the cgroup /<namespace>/<id>.
    local n
    for n in $CTD_NS $ctd_namespaces; do remove_cgroup_parent "/$n"; done
}

# Mounts, runtime state and sockets this containerd's containers could leave behind.
containerd_leftovers() {
    grep " $CTD_DIR/" /proc/self/mounts | grep -v "/snapshots" || true
}
