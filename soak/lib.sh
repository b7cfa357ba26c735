# Helpers for make soak (source it; bash): what a leak looks like, sampled as one CSV line.
#   soak_sample PHASE ITER ROOT PIDS...   prints phase,iter,fds,rss_kb,cgroups,mounts,state_dirs,
#                                         zombies,loops,dm: the open fds and resident memory summed
#                                         over the long-lived PIDS, then counts for the whole host
#                                         (every cgroup in every hierarchy, mounts, entries under
#                                         the runtime state directory ROOT, zombie processes not
#                                         pid 1's, loop and device-mapper devices)
#   soak_check CSV PHASE                  fails, naming the column, when the phase's last sample
#                                         holds more than its first after iteration 0 (the first
#                                         checkpoint, past any warm-up; RSS: more than 1 MiB more)
source "$(dirname "${BASH_SOURCE[0]}")/../tests/lib/cgroups.bash"

SOAK_COLUMNS=phase,iter,fds,rss_kb,cgroups,mounts,state_dirs,zombies,loops,dm

soak_sample() {
    local phase=$1 iter=$2 root=$3 fds=0 rss=0 pid
    shift 3
    for pid in "$@"; do
        [[ -d /proc/$pid ]] || continue
        fds=$((fds + $(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l || true)))
        rss=$((rss + $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
    done
    local cgroups mounts state zombies loops dm
    # shellcheck disable=SC2046
    cgroups=$(find $(cgroup_mounts | sort -u) -mindepth 1 -type d 2>/dev/null | wc -l || true)
    mounts=$(wc -l </proc/self/mountinfo)
    state=$(find "$root" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l || true)   # none yet: 0
    # Zombies someone of ours should have reaped; those of pid 1 (exited shims, reparented) are
    # pid 1's to reap, and some inits take their time.
    zombies=$(ps -eo stat=,ppid= | awk '$1 ~ /^Z/ && $2 != 1' | wc -l || true)
    loops=$(losetup -n -l 2>/dev/null | wc -l || true)
    dm=$(find /sys/block -maxdepth 1 -name 'dm-*' 2>/dev/null | wc -l || true)
    echo "$phase,$iter,$fds,$rss,$cgroups,$mounts,$state,$zombies,$loops,$dm"
}

soak_check() {
    local csv=$1 phase=$2
    awk -F, -v phase="$phase" '
        NR == 1 { for (i = 1; i <= NF; i++) name[i] = $i; next }
        $1 != phase || $2 == 0 { next }
        !seen++ { for (i = 3; i <= NF; i++) first[i] = $i }
        { for (i = 3; i <= NF; i++) last[i] = $i }
        END {
            bad = 0
            for (i = 3; i <= NF; i++) {
                allowed = name[i] == "rss_kb" ? 1024 : 0
                if (last[i] > first[i] + allowed) {
                    printf "soak: %s: %s grew from %s to %s\n", phase, name[i], first[i], last[i]
                    bad = 1
                }
            }
            exit bad
        }' "$csv"
}
