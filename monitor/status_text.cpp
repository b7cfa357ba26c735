#include "monitor/status_text.h"

#include "monitor/status_page.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace mogu::monitor {
namespace {

const char* kBlocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

std::vector<float> series(const std::vector<HistoryPoint>& h, float HistoryPoint::*field) {
    std::vector<float> out;
    for (const auto& p : h) out.push_back(p.*field);
    return out;
}

std::string percent(double v) {
    if (std::isnan(v)) return "-";
    return v < 10 ? fmt::format("{:.1f}%", v) : fmt::format("{:.0f}%", v);
}

// Display width of UTF-8 text: one column per code point (our text has no wide characters).
size_t columns(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::string pad(const std::string& s, size_t width) { return s + std::string(width > columns(s) ? width - columns(s) : 0, ' '); }

std::string clock_text(double t) {
    if (!(t > 0)) return "never";
    time_t secs = static_cast<time_t>(t);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return out;
}

std::string text_sparkline(const std::vector<float>& values, size_t slots, size_t width, double floor_max) {
    slots = std::max({slots, values.size(), size_t{1}});
    double top = floor_max;
    for (float v : values)
        if (!std::isnan(v)) top = std::max(top, static_cast<double>(v));
    std::string out;
    size_t offset = slots - values.size();  // the values are the newest `values.size()` of `slots`
    for (size_t col = 0; col < width; ++col) {
        size_t from = col * slots / width, to = std::max((col + 1) * slots / width, from + 1);
        float best = NAN;
        for (size_t i = from; i < to; ++i) {
            if (i < offset) continue;
            float v = values[i - offset];
            if (!std::isnan(v) && (std::isnan(best) || v > best)) best = v;
        }
        if (std::isnan(best)) {
            out += ' ';
            continue;
        }
        int level = top > 0 ? static_cast<int>(std::lround(static_cast<double>(best) / top * 7)) : 0;
        out += kBlocks[std::clamp(level, 0, 7)];
    }
    return out;
}

std::string render_status_text(const StatusSnapshot& s, const std::string& source) {
    std::string out = fmt::format("mogu-monitor {} at {}: {} container{}, collected {} (every {:g} s)\n", terminal_safe(s.version),
                                  terminal_safe(source), s.containers.size(), s.containers.size() == 1 ? "" : "s", clock_text(s.time),
                                  s.interval);
    if (s.alerts.empty()) {
        out += s.alerting ? fmt::format("alerts: none firing ({} rule{} watched)\n", s.alert_rules, s.alert_rules == 1 ? "" : "s")
                          : "alerts: none firing (alerting is off)\n";
    } else {
        out += fmt::format("alerts: {} firing\n", s.alerts.size());
        for (const auto& a : s.alerts) {
            std::string where;
            for (const auto& [k, v] : a.labels) {
                if (!v.empty()) where += fmt::format("{}{}={}", where.empty() ? "" : ",", terminal_safe(k), terminal_safe(v));
            }
            out += fmt::format("  {:<8} {} {} value {:g} since {}: {}\n", terminal_safe(a.severity), terminal_safe(a.name), where, a.value,
                               clock_text(a.since), terminal_safe(a.summary));
        }
    }
    out += "\n";
    if (s.containers.empty()) {
        out += "no running containers in the configured state roots\n";
        return out;
    }
    struct Row {
        std::string name, pod, cpu, cpu_spark, mem, mem_spark, pids, io, load;
    };
    std::vector<Row> rows;
    const size_t spark = 20;
    for (const auto& c : s.containers) {
        Row r;
        r.name = terminal_safe(display_name(c));
        r.pod = terminal_safe(pod_name(c));
        if (r.pod.empty()) r.pod = "-";
        r.cpu = percent(c.now.cpu_percent);
        r.cpu_spark = text_sparkline(series(c.history, &HistoryPoint::cpu_percent), s.history_points, spark, 5);
        r.mem = human_bytes(static_cast<double>(c.latest.memory_used));
        if (c.latest.memory_limit)
            r.mem += fmt::format(" / {} {}", human_bytes(static_cast<double>(c.latest.memory_limit)),
                                 percent(static_cast<double>(c.latest.memory_used) / static_cast<double>(c.latest.memory_limit) * 100));
        r.mem_spark = text_sparkline(series(c.history, &HistoryPoint::memory_used), s.history_points, spark, 0);
        r.pids = c.latest.pids_limit ? fmt::format("{}/{}", c.latest.pids, c.latest.pids_limit) : fmt::format("{}", c.latest.pids);
        r.io = std::isnan(c.now.io_bytes_per_second) ? "-" : human_bytes(c.now.io_bytes_per_second) + "/s";
        r.load = c.latest.load1 ? fmt::format("{:.2f}", *c.latest.load1) : "-";
        rows.push_back(std::move(r));
    }
    Row head{"CONTAINER", "POD", "CPU", "CPU, 15 MIN", "MEMORY / LIMIT", "MEMORY, 15 MIN", "TASKS", "IO", "LOAD"};
    size_t w[9] = {};
    auto widen = [&](const Row& r) {
        const std::string* f[] = {&r.name, &r.pod, &r.cpu, &r.cpu_spark, &r.mem, &r.mem_spark, &r.pids, &r.io, &r.load};
        for (size_t i = 0; i < 9; ++i) w[i] = std::max(w[i], columns(*f[i]));
    };
    widen(head);
    for (const auto& r : rows) widen(r);
    auto line = [&](const Row& r) {
        const std::string* f[] = {&r.name, &r.pod, &r.cpu, &r.cpu_spark, &r.mem, &r.mem_spark, &r.pids, &r.io, &r.load};
        std::string l;
        for (size_t i = 0; i < 9; ++i) l += (i ? "  " : "") + (i == 8 ? *f[i] : pad(*f[i], w[i]));
        return l + "\n";
    };
    out += line(head);
    for (const auto& r : rows) out += line(r);
    out += fmt::format("(sparklines: the last {:.0f} minutes, newest at the right)\n", s.step * static_cast<double>(s.history_points) / 60);
    return out;
}

}  // namespace mogu::monitor
