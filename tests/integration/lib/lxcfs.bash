# A private LXCFS for tests: its own mount point and pid file, started and stopped by the test
# file (never the host's /var/lib/lxcfs). Source it; bash.
#   lxcfs_missing      prints why LXCFS cannot run here, or fails (returns 1) when it can
#   start_lxcfs DIR    mounts LXCFS (--enable-loadavg --enable-cfs) at DIR/mnt; sets LXCFS_MNT
#   stop_lxcfs DIR [-KILL]  stops the LXCFS of DIR (SIGKILL, as a crash) and unmounts what it left

lxcfs_missing() {
    command -v lxcfs >/dev/null || { echo "lxcfs is not installed (apt-get install lxcfs)"; return 0; }
    [[ -c /dev/fuse ]] || { echo "/dev/fuse is missing: LXCFS needs FUSE"; return 0; }
    [[ $EUID -eq 0 ]] || { echo "needs root"; return 0; }
    return 1
}

start_lxcfs() {
    local dir=$1
    LXCFS_MNT=$dir/mnt
    mkdir -p "$LXCFS_MNT"
    # -f: in the foreground of its own background job, so its pid is ours to stop.
    lxcfs -f --enable-loadavg --enable-cfs -p "$dir/lxcfs.pid" "$LXCFS_MNT" </dev/null >>"$dir/lxcfs.log" 2>&1 3>&- &
    echo $! >"$dir/lxcfs.job"
    disown $! 2>/dev/null || true   # no "Killed" job notice when a test kills it on purpose
    local i
    for i in $(seq 100); do
        [[ $(stat -f -c %T "$LXCFS_MNT" 2>/dev/null) == fuseblk || -r $LXCFS_MNT/proc/meminfo ]] && return 0
        sleep 0.05
    done
    echo "LXCFS did not come up at $LXCFS_MNT; its log:" >&2
    tail -5 "$dir/lxcfs.log" >&2
    return 1
}

# By the pid of the job start_lxcfs left in DIR: a test may have restarted LXCFS since.
stop_lxcfs() {
    local dir=$1 signal=${2:--TERM} pid
    pid=$(cat "$dir/lxcfs.job" 2>/dev/null) || return 0
    kill "$signal" "$pid" 2>/dev/null || true
    local i
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    # A killed LXCFS leaves its FUSE mount behind, dead ("Transport endpoint is not connected").
    if grep -q " $dir/mnt " /proc/self/mountinfo; then umount -l "$dir/mnt"; fi
    rm -f "$dir/lxcfs.job"
}
