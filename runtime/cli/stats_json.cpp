#include "runtime/cli/stats_json.h"

namespace mogu::cli {
namespace {

void blkio_entries(JsonWriter& w, const char* key, const std::vector<cgroups::BlkioEntry>& entries) {
    w.key(key).begin_array();
    for (const auto& e : entries) {
        w.begin_object().kv("major", e.major).kv("minor", e.minor);
        if (!e.op.empty()) w.kv("op", e.op);
        w.kv("value", e.value).end_object();
    }
    w.end_array();
}

void psi(JsonWriter& w, const cgroups::Stats& s, const char* resource) {
    auto it = s.pressure.find(resource);
    if (it == s.pressure.end()) return;
    auto line = [&](const char* key, const cgroups::PressureLine& l) {
        w.key(key).begin_object().kv("avg10", l.avg10).kv("avg60", l.avg60).kv("avg300", l.avg300).kv("total", l.total_us).end_object();
    };
    w.key("psi").begin_object();
    line("some", it->second.some);
    line("full", it->second.full);
    w.end_object();
}

}  // namespace

std::string stats_event_json(const std::string& id, const runtime::ContainerStats& stats) {
    const cgroups::Stats& s = stats.cgroup;
    JsonWriter w;
    w.begin_object().kv("type", "stats").kv("id", id).key("data").begin_object();

    w.key("cpu").begin_object().key("usage").begin_object();
    w.kv("total", s.cpu.total_ns);
    w.key("percpu").begin_array();
    for (auto v : s.cpu.percpu_ns) w.value(v);
    w.end_array();
    w.kv("kernel", s.cpu.kernel_ns).kv("user", s.cpu.user_ns).end_object();
    w.key("throttling").begin_object().kv("periods", s.cpu.periods).kv("throttled_periods", s.cpu.throttled_periods)
        .kv("throttled_time", s.cpu.throttled_ns).end_object();
    psi(w, s, "cpu");
    w.end_object();

    const auto& m = s.memory;
    w.key("memory").begin_object().kv("cache", m.cache);
    w.key("usage").begin_object().kv("limit", m.limit).kv("usage", m.usage).kv("max", m.max_usage).kv("failcnt", m.failcnt).end_object();
    w.key("swap").begin_object().kv("limit", m.swap_limit).kv("usage", m.swap_usage).end_object();
    w.key("kernel").begin_object().kv("usage", m.kernel_usage).end_object();
    w.key("raw").begin_object();
    for (const auto& [k, v] : m.raw) w.kv(k, v);
    w.end_object();
    psi(w, s, "memory");
    w.end_object();

    w.key("pids").begin_object().kv("current", s.pids.current).kv("limit", s.pids.limit).end_object();

    w.key("blkio").begin_object();
    blkio_entries(w, "ioServiceBytesRecursive", s.blkio.io_service_bytes);
    blkio_entries(w, "ioServicedRecursive", s.blkio.io_serviced);
    psi(w, s, "io");
    w.end_object();

    w.key("hugetlb").begin_object();
    for (const auto& [size, h] : s.hugetlb)
        w.key(size).begin_object().kv("usage", h.usage).kv("max", h.max_usage).kv("failcnt", h.failcnt).end_object();
    w.end_object();

    if (stats.load) {
        const auto& l = *stats.load;
        w.key("loadavg").begin_object().kv("avg1", l.avg1).kv("avg5", l.avg5).kv("avg15", l.avg15).kv("running", l.running)
            .kv("tasks", l.tasks).end_object();
    }

    w.end_object().end_object();
    return w.str();
}

}  // namespace mogu::cli
