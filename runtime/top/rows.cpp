#include "runtime/top/rows.h"

#include "common/json.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace mogu::runtime::top {
namespace {

std::optional<double> rate(uint64_t before, uint64_t now, double seconds) {
    if (seconds <= 0 || now < before) return std::nullopt;  // a counter that went back: a new cgroup
    return static_cast<double>(now - before) / seconds;
}

double io_total(const Row& r) { return r.read_bps.value_or(0) + r.write_bps.value_or(0); }

std::string or_dash(const std::optional<double>& v, const char* format) {
    return v ? fmt::format(fmt::runtime(format), *v) : std::string("-");
}

}  // namespace

std::vector<Row> make_rows(const Sample& before, const Sample& now) {
    std::map<std::pair<std::string, std::string>, const ContainerSample*> earlier;
    for (const auto& c : before.containers) earlier[{c.root, c.id}] = &c;
    double seconds = now.taken_ns > before.taken_ns ? static_cast<double>(now.taken_ns - before.taken_ns) / 1e9 : 0;
    std::vector<Row> rows;
    for (const auto& c : now.containers) {
        Row r;
        r.root = c.root;
        r.id = c.id;
        r.status = status_name(c.status);
        r.memory_usage = c.memory_usage;
        r.memory_limit = c.memory_limit;
        r.pids = c.pids;
        r.pids_limit = c.pids_limit;
        r.oom_kills = c.oom_kills;
        if (c.load) r.load1 = c.load->avg1;
        auto it = earlier.find({c.root, c.id});
        if (c.has_stats && it != earlier.end() && it->second->has_stats && !before.containers.empty()) {
            const ContainerSample& b = *it->second;
            if (auto cpu = rate(b.cpu_ns, c.cpu_ns, seconds)) r.cpu_percent = *cpu / 1e9 * 100;
            r.read_bps = rate(b.read_bytes, c.read_bytes, seconds);
            r.write_bps = rate(b.write_bytes, c.write_bytes, seconds);
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

std::optional<SortKey> parse_sort_key(const std::string& name) {
    if (name == "cpu") return SortKey::cpu;
    if (name == "mem" || name == "memory") return SortKey::memory;
    if (name == "io") return SortKey::io;
    if (name == "pids") return SortKey::pids;
    if (name == "load") return SortKey::load;
    if (name == "id") return SortKey::id;
    return std::nullopt;
}

void sort_rows(std::vector<Row>& rows, SortKey key) {
    auto value = [key](const Row& r) -> double {
        switch (key) {
            case SortKey::cpu: return r.cpu_percent.value_or(-1);
            case SortKey::memory: return static_cast<double>(r.memory_usage);
            case SortKey::io: return io_total(r);
            case SortKey::pids: return static_cast<double>(r.pids);
            case SortKey::load: return r.load1.value_or(-1);
            case SortKey::id: return 0;
        }
        return 0;
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
        double va = value(a), vb = value(b);
        if (va != vb) return va > vb;
        return a.id < b.id;
    });
}

std::string human_bytes(double bytes) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t u = 0;
    while (bytes >= 1024 && u + 1 < std::size(units)) {
        bytes /= 1024;
        ++u;
    }
    return u == 0 ? fmt::format("{:.0f}B", bytes) : fmt::format("{:.1f}{}", bytes, units[u]);
}

std::string render_table(const std::vector<Row>& rows, size_t width) {
    std::string out = fmt::format("{:<24} {:<8} {:>7} {:>21} {:>6} {:>21} {:>9} {:>6} {:>4}\n", "CONTAINER", "STATUS", "CPU %",
                                  "MEM USAGE / LIMIT", "MEM %", "IO READ / WRITE /s", "PIDS", "LOAD", "OOM");
    for (const auto& r : rows) {
        std::string id = r.id.size() > 24 ? r.id.substr(0, 23) + "~" : r.id;
        std::string mem = human_bytes(static_cast<double>(r.memory_usage)) + " / " +
                          (r.memory_limit ? human_bytes(static_cast<double>(r.memory_limit)) : std::string("-"));
        std::string mem_pct = r.memory_limit ? fmt::format("{:.1f}", 100.0 * static_cast<double>(r.memory_usage) / static_cast<double>(r.memory_limit)) : "-";
        std::string io = (r.read_bps ? human_bytes(*r.read_bps) : "-") + " / " + (r.write_bps ? human_bytes(*r.write_bps) : "-");
        std::string pids = r.pids_limit ? fmt::format("{}/{}", r.pids, r.pids_limit) : fmt::format("{}", r.pids);
        std::string line = fmt::format("{:<24} {:<8} {:>7} {:>21} {:>6} {:>21} {:>9} {:>6} {:>4}", id, r.status, or_dash(r.cpu_percent, "{:.1f}"), mem,
                                       mem_pct, io, pids, or_dash(r.load1, "{:.2f}"), r.oom_kills);
        if (line.size() > width) line.resize(width);
        out += line + "\n";
    }
    return out;
}

std::string render_json(const std::vector<Row>& rows) {
    JsonWriter w;
    auto optional = [&w](const char* key, const std::optional<double>& v) {
        w.key(key);
        if (v) w.value(*v);
        else w.null();
    };
    w.begin_array();
    for (const auto& r : rows) {
        w.begin_object().kv("id", r.id).kv("root", r.root).kv("status", r.status);
        optional("cpu_percent", r.cpu_percent);
        w.kv("memory_usage", r.memory_usage).kv("memory_limit", r.memory_limit);
        optional("read_bytes_per_second", r.read_bps);
        optional("write_bytes_per_second", r.write_bps);
        w.kv("pids", r.pids).kv("pids_limit", r.pids_limit);
        optional("load1", r.load1);
        w.kv("oom_kills", r.oom_kills).end_object();
    }
    w.end_array();
    return w.str() + "\n";
}

}  // namespace mogu::runtime::top
