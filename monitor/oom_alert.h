// The built-in ContainerOOMKilled alert: raised from the kernel log's OOM-kill event as soon as
// the reader thread sees it (not at the next collection), naming the container (its labels from
// the last collection: namespace, name, cgroup id), the process killed and the memory limit.
#pragma once

#include "monitor/alerts.h"
#include "monitor/exposition.h"
#include "monitor/kmsg.h"

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace mogu::monitor {

inline constexpr const char* kOomAlertName = "ContainerOOMKilled";

// The containers of the last collection by cgroup path (the `id` label), with their memory
// limit; the collector updates it, the kernel log's thread reads it.
class ContainerIndex {
public:
    void update(const MetricSet& set);
    struct Entry {
        Labels labels;
        uint64_t memory_limit = 0;  // 0: none
    };
    std::optional<Entry> find(const std::string& cgroup) const;

private:
    mutable std::mutex mu_;
    std::map<std::string, Entry> by_cgroup_;
};

// The limit as the cgroup says it now (v1 memory.limit_in_bytes or v2 memory.max under
// `cgroup_root`), 0 when there is none or the cgroup is gone.
uint64_t read_memory_limit(const std::string& cgroup_root, const std::string& cgroup);

// nullopt for events that are not OOM kills in a container we know (or whose cgroup we can read).
std::optional<Alert> oom_alert(const KernelEvent& e, const ContainerIndex& containers, const std::string& cgroup_root = "/sys/fs/cgroup");

// An OOM kill in a mogu-vm container's guest, which the host's kernel log never shows: learnt
// from the container's exit record (its init exited after the kill) at the next collection.
struct VmOomKill {
    std::string key;           // <root>/<id>: one alert per record
    int64_t recorded_at = 0;   // the record's time, Unix seconds
    Labels labels;             // the container's
    uint64_t memory_limit = 0; // the spec's, 0: none
    std::string process;       // the killed process, as the guest's kernel named it ("" when not logged)
    int pid = 0;               // its pid in the guest
};

Alert vm_oom_alert(const VmOomKill& kill);

}  // namespace mogu::monitor
