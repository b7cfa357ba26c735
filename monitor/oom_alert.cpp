#include "monitor/oom_alert.h"

#include "common/files.h"
#include "common/strings.h"

#include <fmt/core.h>

namespace mogu::monitor {

void ContainerIndex::update(const MetricSet& set) {
    std::map<std::string, Entry> next;
    for (auto& f : set.families()) {
        if (f.name != "container_spec_memory_limit_bytes") continue;
        for (auto& s : f.samples) {
            Entry e{s.labels, static_cast<uint64_t>(value_of(s.value))};
            for (auto& [n, v] : s.labels)
                if (n == "id") next[v] = e;
        }
    }
    std::lock_guard<std::mutex> lock(mu_);
    by_cgroup_ = std::move(next);
}

std::optional<ContainerIndex::Entry> ContainerIndex::find(const std::string& cgroup) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_cgroup_.find(cgroup);
    if (it == by_cgroup_.end()) return std::nullopt;
    return it->second;
}

uint64_t read_memory_limit(const std::string& root, const std::string& cgroup) {
    for (auto file : {root + "/memory" + cgroup + "/memory.limit_in_bytes", root + "/unified" + cgroup + "/memory.max", root + cgroup + "/memory.max"}) {
        auto text = read_file_if_exists(file);
        if (!text) continue;
        auto n = parse_uint(trim(*text));
        if (!n) return 0;  // "max"
        return *n >= (1ULL << 62) ? 0 : *n;
    }
    return 0;
}

std::optional<Alert> oom_alert(const KernelEvent& e, const ContainerIndex& containers, const std::string& cgroup_root) {
    if (e.kind != KernelEventKind::oom_kill || !e.from_kernel() || e.cgroup.empty() || e.cgroup == "/") return std::nullopt;
    Alert a;
    a.name = kOomAlertName;
    a.severity = "critical";
    uint64_t limit = read_memory_limit(cgroup_root, e.cgroup);
    if (auto c = containers.find(e.cgroup)) {
        a.labels = c->labels;
        if (!limit) limit = c->memory_limit;
    } else {
        // Started after the last collection: the cgroup path is all we know.
        auto slash = e.cgroup.rfind('/');
        a.labels = {{"id", e.cgroup}, {"name", e.cgroup.substr(slash + 1)}};
    }
    a.labels.emplace_back("process", e.comm);
    a.labels.emplace_back("pid", std::to_string(e.pid));
    a.value = static_cast<double>(limit);
    std::string ns = a.label("containerd_namespace");
    a.summary = fmt::format("container {}{} (cgroup {}): process {} (pid {}) killed by the OOM killer; memory limit {}", ns.empty() ? "" : ns + "/",
                            a.label("name"), e.cgroup, e.comm, e.pid, limit ? fmt::format("{} bytes", limit) : std::string("none"));
    return a;
}

Alert vm_oom_alert(const VmOomKill& kill) {
    Alert a;
    a.name = kOomAlertName;
    a.severity = "critical";
    a.labels = kill.labels;
    a.labels.emplace_back("process", kill.process);
    a.value = static_cast<double>(kill.memory_limit);
    std::string ns = a.label("containerd_namespace");
    std::string who = kill.process.empty() ? std::string("a process") : fmt::format("process {} (pid {} in the VM)", kill.process, kill.pid);
    a.summary = fmt::format("container {}{} (micro-VM, host cgroup {}): {} killed by the OOM killer in the guest; memory limit {}",
                            ns.empty() ? "" : ns + "/", a.label("name"), a.label("id"), who,
                            kill.memory_limit ? fmt::format("{} bytes", kill.memory_limit) : std::string("none"));
    return a;
}

}  // namespace mogu::monitor
