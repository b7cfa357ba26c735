// The kernel log's records as /dev/kmsg gives them (one record per read), and the OOM killer's
// summary line: parsed by mogu-monitor on the host (which owns its reader thread) and by
// mogu-agent in a guest, which looks through what the log holds once (last_oom_kill_in).
//
// Record format (Documentation/ABI/testing/dev-kmsg):
//   "<prio>,<seq>,<usec since boot>,<flags>[,more fields];<message>\n"
//   followed by dictionary lines " KEY=value\n" (SUBSYSTEM=, DEVICE=).
// prio is facility * 8 + level. Lines root writes into /dev/kmsg get the facility "user" (1) from
// the kernel, whatever "<N>" they start with: facility 0 means the kernel wrote it.
// Non-printable bytes in the message arrive escaped as \xNN and are left so.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mogu {

struct KmsgRecord {
    int facility = 0, level = 0;
    uint64_t seq = 0;
    uint64_t usec = 0;   // since boot
    char flags = '-';    // '-', or 'c' for a continued (fragment) record
    std::string message;
    std::vector<std::pair<std::string, std::string>> dict;  // SUBSYSTEM=block, DEVICE=b8:0, ...

    bool from_kernel() const { return facility == 0; }
};

// nullopt for what is not a record (a malformed header, no ';').
std::optional<KmsgRecord> parse_kmsg_record(std::string_view raw);

// The OOM killer's summary, logged just before "Killed process N (comm)" (kernels 4.19+):
//   oom-kill:constraint=CONSTRAINT_MEMCG,...,oom_memcg=/x,task_memcg=/x,task=dd,pid=1234,uid=0
struct OomKillSummary {
    std::string cgroup;  // the killed task's memory cgroup (task_memcg), as the kernel's hierarchy names it
    std::string task;    // its comm
    pid_t pid = 0;
};

// nullopt for a message that is not such a line.
std::optional<OomKillSummary> parse_oom_kill_summary(std::string_view message);

// The last OOM kill the kernel logged for a task of `cgroup` (task_memcg), from what /dev/kmsg
// still holds; nullopt when none is there or /dev/kmsg cannot be read.
std::optional<OomKillSummary> last_oom_kill_in(const std::string& cgroup);

}  // namespace mogu
