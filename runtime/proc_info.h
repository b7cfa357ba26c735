// Facts about a process read from /proc: whether it lives, and its start time (field 22 of
// /proc/<pid>/stat), which together with the pid names one process even when pids are reused.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace mogu::runtime {

struct ProcStat {
    char state = '?';          // R, S, D, Z, T, ...
    uint64_t start_time = 0;   // clock ticks since boot
    pid_t ppid = 0;
};

// nullopt when there is no such process.
std::optional<ProcStat> read_proc_stat(pid_t pid);

// True when `pid` is the same process that had `start_time`, and it has not exited (zombies count as exited).
bool process_alive(pid_t pid, uint64_t start_time);

}  // namespace mogu::runtime
