#include "runtime/stats_event.h"

#include "common/error.h"
#include "common/json.h"

namespace mogu::runtime {
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

uint64_t u64(const Json& parent, const char* key) {
    auto v = parent.get(key);
    return v && v->is_number() ? v->as_uint() : 0;
}

double f64(const Json& parent, const char* key) {
    auto v = parent.get(key);
    return v && v->is_number() ? v->as_double() : 0;
}

void read_psi(const Json& parent, cgroups::Stats& s, const char* resource) {
    auto psi = parent.get("psi");
    if (!psi || !psi->is_object()) return;
    auto line = [&](const char* key, cgroups::PressureLine& l) {
        if (auto j = psi->get(key)) {
            l.avg10 = f64(*j, "avg10");
            l.avg60 = f64(*j, "avg60");
            l.avg300 = f64(*j, "avg300");
            l.total_us = u64(*j, "total");
        }
    };
    cgroups::Pressure& p = s.pressure[resource];
    line("some", p.some);
    line("full", p.full);
}

std::vector<cgroups::BlkioEntry> read_blkio(const Json& blkio, const char* key) {
    std::vector<cgroups::BlkioEntry> out;
    auto list = blkio.get(key);
    if (!list || !list->is_array()) return out;
    for (const auto& e : list->elements())
        out.push_back({u64(e, "major"), u64(e, "minor"), e.string_or("op", ""), u64(e, "value")});
    return out;
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

std::string stats_event_json(const std::string& id, const ContainerStats& stats) {
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

ContainerStats parse_stats_event_json(const std::string& text, const std::string& source) {
    JsonDoc doc = JsonDoc::parse(text, source);
    auto data = doc.root().get("data");
    if (!data || !data->is_object()) throw Error("{}: no \"data\" object: not a stats record", source);
    ContainerStats out;
    cgroups::Stats& s = out.cgroup;
    if (auto cpu = data->get("cpu")) {
        if (auto u = cpu->get("usage")) {
            s.cpu.total_ns = u64(*u, "total");
            s.cpu.kernel_ns = u64(*u, "kernel");
            s.cpu.user_ns = u64(*u, "user");
            if (auto per = u->get("percpu"); per && per->is_array())
                for (const auto& v : per->elements()) s.cpu.percpu_ns.push_back(v.is_number() ? v.as_uint() : 0);
        }
        if (auto t = cpu->get("throttling")) {
            s.cpu.periods = u64(*t, "periods");
            s.cpu.throttled_periods = u64(*t, "throttled_periods");
            s.cpu.throttled_ns = u64(*t, "throttled_time");
        }
        read_psi(*cpu, s, "cpu");
    }
    if (auto mem = data->get("memory")) {
        auto& m = s.memory;
        m.cache = u64(*mem, "cache");
        if (auto u = mem->get("usage")) {
            m.limit = u64(*u, "limit");
            m.usage = u64(*u, "usage");
            m.max_usage = u64(*u, "max");
            m.failcnt = u64(*u, "failcnt");
        }
        if (auto sw = mem->get("swap")) {
            m.swap_limit = u64(*sw, "limit");
            m.swap_usage = u64(*sw, "usage");
        }
        if (auto k = mem->get("kernel")) m.kernel_usage = u64(*k, "usage");
        if (auto raw = mem->get("raw"); raw && raw->is_object())
            raw->for_each_member([&](std::string_view k, const Json& v) { m.raw[std::string(k)] = v.is_number() ? v.as_uint() : 0; });
        read_psi(*mem, s, "memory");
    }
    if (auto pids = data->get("pids")) {
        s.pids.current = u64(*pids, "current");
        s.pids.limit = u64(*pids, "limit");
    }
    if (auto blkio = data->get("blkio")) {
        s.blkio.io_service_bytes = read_blkio(*blkio, "ioServiceBytesRecursive");
        s.blkio.io_serviced = read_blkio(*blkio, "ioServicedRecursive");
        read_psi(*blkio, s, "io");
    }
    if (auto h = data->get("hugetlb"); h && h->is_object())
        h->for_each_member([&](std::string_view size, const Json& v) {
            s.hugetlb[std::string(size)] = {u64(v, "usage"), u64(v, "max"), u64(v, "failcnt")};
        });
    if (auto l = data->get("loadavg"); l && l->is_object()) {
        lxcfs::LoadAverage la;
        la.avg1 = f64(*l, "avg1");
        la.avg5 = f64(*l, "avg5");
        la.avg15 = f64(*l, "avg15");
        la.running = u64(*l, "running");
        la.tasks = u64(*l, "tasks");
        out.load = la;
    }
    return out;
}

}  // namespace mogu::runtime
