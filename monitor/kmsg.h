// The events the monitor picks out of the kernel log's records (common/kmsg_record.h). Pure
// parsing: the reader (kernel_log.*) owns the file and the thread.
#pragma once

#include "common/kmsg_record.h"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mogu::monitor {

enum class KernelEventKind {
    oom_kill,               // "Out of memory: Killed process" / "Memory cgroup out of memory: Killed process"
    hung_task,              // "INFO: task X:PID blocked for more than N seconds."
    soft_lockup,            // "watchdog: BUG: soft lockup - CPU#N stuck for Ns! [comm:pid]"
    hard_lockup,            // "Watchdog detected hard LOCKUP on cpu N"
    io_error,               // "I/O error, dev sda, sector ...", "Buffer I/O error on dev ..."
    fs_error,               // "EXT4-fs error (device ...)", XFS corruption/shutdown, "BTRFS error"
    segfault,               // "comm[pid]: segfault at ...", "traps: comm[pid] general protection fault ..."
    thin_out_of_data,       // dm-thin: "switching pool to out-of-data-space"
    thin_out_of_metadata,   // dm-thin: "no free metadata space", metadata blocks exhausted
};
inline constexpr KernelEventKind kAllKernelEventKinds[] = {
    KernelEventKind::oom_kill,  KernelEventKind::hung_task, KernelEventKind::soft_lockup,      KernelEventKind::hard_lockup,
    KernelEventKind::io_error,  KernelEventKind::fs_error,  KernelEventKind::segfault,         KernelEventKind::thin_out_of_data,
    KernelEventKind::thin_out_of_metadata,
};
const char* kind_name(KernelEventKind kind);  // "oom_kill", ...: the kind label's values

struct KernelEvent {
    KernelEventKind kind = KernelEventKind::oom_kill;
    uint64_t seq = 0;                               // the record's sequence number (per boot; increasing)
    std::chrono::system_clock::time_point time;     // when the kernel logged it (boot time + usec)
    uint64_t usec = 0;                              // since boot, as logged
    int facility = 0, level = 0;                    // facility != 0: written by a process, not the kernel
    pid_t pid = 0;                                  // the process concerned, 0 when the line names none
    std::string comm;                               // its name
    std::string cgroup;                             // OOM kills: the killed task's memory cgroup (task_memcg)
    std::string device;                             // I/O, filesystem and dm-thin events: "sda", "dm-3", "253:2"
    std::string message;                            // the log line

    bool from_kernel() const { return facility == 0; }
};

// One line for a log: "oom_kill: pid 1234 (dd), memory cgroup /mogu/web: <message>".
std::string describe(const KernelEvent& e);

// Picks events out of records, in order. Stateful: an OOM kill's memory cgroup is on the
// "oom-kill:...task_memcg=...,pid=N" line that precedes "Killed process N (comm)".
class KernelEventClassifier {
public:
    std::optional<KernelEvent> classify(const KmsgRecord& record);

private:
    std::optional<OomKillSummary> pending_oom_;
};

}  // namespace mogu::monitor
