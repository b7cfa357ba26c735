#include "monitor/container_restarts.h"

namespace mogu::monitor {
namespace {

std::string label(const Labels& labels, const char* key) {
    for (const auto& [n, v] : labels)
        if (n == key) return v;
    return {};
}

}  // namespace

std::string RestartCounter::identity(const std::string& root, const std::string& id, const Labels& labels) {
    auto pod = label(labels, "pod"), container = label(labels, "container");
    if (!pod.empty() && !container.empty()) return "k8s/" + label(labels, "namespace") + "/" + pod + "/" + container;
    return root + "/" + id;
}

uint64_t RestartCounter::observe(const std::string& identity, double started, Clock::time_point now) {
    auto [it, fresh] = entries_.try_emplace(identity);
    Entry& e = it->second;
    if (fresh) {
        e.started = started;
    } else if (started > e.started) {
        e.started = started;
        ++e.restarts;
    }
    e.seen = now;
    return e.restarts;
}

void RestartCounter::forget_stale(Clock::time_point now) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (now - it->second.seen > forget_after_) it = entries_.erase(it);
        else ++it;
    }
}

}  // namespace mogu::monitor
