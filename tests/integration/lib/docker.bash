# A private dockerd 20.10 for tests (it starts its own containerd), with mogu registered as the
# runtime "mogu", and the fixture rootfs imported as an image.
#   start_dockerd      sets DKR_DIR, DKR_SOCK; docker_ ARGS... talks to it ($DKR_EXTRA_ARGS: more
#                      dockerd flags, e.g. --experimental)
#   halt_dockerd       stops dockerd only (containers and DKR_DIR stay); launch_dockerd starts it again
#   stop_dockerd       removes every container, stops dockerd, unmounts, removes DKR_DIR
DKR_IMAGE=mogu/busybox:latest
DKR_ROOTFS=${MOGU_SRC:-$PWD}/tests/fixtures/out/rootfs
DOCKER=/usr/bin/docker   # Debian's client matches Debian's daemon; a newer one may come first in PATH

source "$(dirname "${BASH_SOURCE[0]}")/../../lib/cgroups.bash"

dockerd_missing() {
    command -v dockerd >/dev/null || { echo "dockerd not installed (apt-get install docker.io)"; return 0; }
    [[ -x $DOCKER ]] || { echo "$DOCKER not installed"; return 0; }
    [[ -x $MOGU_BIN/mogu ]] || { echo "$MOGU_BIN/mogu not built"; return 0; }
    [[ -x $DKR_ROOTFS/bin/busybox ]] || { echo "$DKR_ROOTFS missing (make fixtures)"; return 0; }
    [[ $(id -u) == 0 ]] || { echo "needs root"; return 0; }
    return 1
}

docker_() { "$DOCKER" -H "unix://$DKR_SOCK" "$@"; }

# Starts (or restarts, keeping DKR_DIR) dockerd and waits until it answers.
launch_dockerd() {
    dockerd --data-root "$DKR_DIR/data" --exec-root "$DKR_DIR/exec" --pidfile "$DKR_DIR/docker.pid" \
        -H "unix://$DKR_SOCK" --config-file "$DKR_DIR/daemon.json" \
        --iptables=false --ip6tables=false --bridge=none --ip-masq=false --storage-driver overlay2 \
        --add-runtime "mogu=$MOGU_BIN/mogu" ${DKR_EXTRA_ARGS:-} \
        </dev/null >"$DKR_DIR/dockerd.log" 2>&1 3>&- 4>&- &
    echo $! >"$DKR_DIR/dockerd.launcher.pid"
    for _ in $(seq 150); do
        docker_ version >/dev/null 2>&1 && break
        sleep 0.2
    done
    docker_ version >/dev/null 2>&1 || { echo "dockerd did not start; its log:" >&2; tail -20 "$DKR_DIR/dockerd.log" >&2; return 1; }
}

start_dockerd() {
    DKR_DIR=$(mktemp -d /tmp/mogu-dockerd.XXXXXX)
    DKR_SOCK=$DKR_DIR/docker.sock
    echo '{}' >"$DKR_DIR/daemon.json"   # not the host's /etc/docker/daemon.json
    launch_dockerd || return 1
    tar -C "$DKR_ROOTFS" -c . | docker_ import - "$DKR_IMAGE" >/dev/null
}

# The pid of the running dockerd.
dockerd_pid() { cat "$DKR_DIR/docker.pid" 2>/dev/null || cat "$DKR_DIR/dockerd.launcher.pid"; }

# Stops dockerd with SIGTERM (as `systemctl stop docker` does) and waits until it is gone; its
# containers, data and DKR_DIR stay, for launch_dockerd to take up again.
halt_dockerd() {
    local pid
    pid=$(dockerd_pid)
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
    echo "dockerd $pid did not stop within 30 s" >&2
    return 1
}

stop_dockerd() {
    [[ -n ${DKR_DIR:-} && -d $DKR_DIR ]] || return 0
    local ids
    ids=$(docker_ ps -aq 2>/dev/null || true)
    # shellcheck disable=SC2086
    [[ -z $ids ]] || docker_ rm -f $ids >/dev/null 2>&1 || true
    local pid
    pid=$(dockerd_pid)
    if kill "$pid" 2>/dev/null; then
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    { grep -o " $DKR_DIR[^ ]*" /proc/self/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$DKR_DIR"
    DKR_DIR=
    # dockerd's cgroupfs driver puts containers under /docker; rmdir only, so a host's own stays.
    remove_cgroup_parent /docker
}
