#include "monitor/status_page.h"


#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace mogu::monitor {
namespace {

// Short numbers for an SVG path: one decimal is finer than a pixel.
std::string coord(double v) {
    auto s = fmt::format("{:.1f}", v);
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    return s;
}

const char* kStyle = R"(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:24px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:18px;margin:0}
header span{color:#b8c0d0}
main{padding:12px 20px}
section{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin-bottom:14px;padding:8px 14px}
h2{font-size:15px;margin:4px 0 8px}
table{border-collapse:collapse;width:100%}
th{text-align:left;font-weight:600;color:#5a6478;font-size:12px;border-bottom:1px solid #dde1e8;padding:4px 8px}
td{padding:6px 8px;border-bottom:1px solid #eef0f4;vertical-align:middle;white-space:nowrap}
tr:last-child td{border-bottom:0}
.name{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-weight:600}
.sub{color:#5a6478;font-size:12px}
.fig{font-variant-numeric:tabular-nums}
td.who{white-space:normal;max-width:320px;overflow-wrap:anywhere}
.bar{display:block;width:120px;height:6px;background:#e6e9ef;border-radius:3px;overflow:hidden;margin:2px 0}
.bar>i{display:block;height:100%;background:#2f9e6e}
.bar>i.warn{background:#e0a526}.bar>i.crit{background:#d64545}
svg.spark{display:block;margin-top:2px}
.ok{color:#2f7d5b}.muted{color:#5a6478}
.sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px;font-weight:600}
.sev.critical{background:#d64545}.sev.warning{background:#e0a526}.sev.info{background:#4a7fd6}
footer{color:#5a6478;font-size:12px;padding:0 20px 16px}
)";

std::vector<float> series(const std::vector<HistoryPoint>& h, float HistoryPoint::*field) {
    std::vector<float> out;
    out.reserve(h.size());
    for (const auto& p : h) out.push_back(p.*field);
    return out;
}

std::string percent(double v) {
    if (std::isnan(v)) return "–";
    return v < 10 ? fmt::format("{:.1f}%", v) : fmt::format("{:.0f}%", v);
}

// A bar of used against limit, green below 70%, amber below 90%, red above.
std::string bar(double used, double limit) {
    if (limit <= 0) return "";
    double pct = std::clamp(used / limit * 100.0, 0.0, 100.0);
    const char* cls = pct >= 90 ? " class=\"crit\"" : pct >= 70 ? " class=\"warn\"" : "";
    return fmt::format("<span class=\"bar\"><i{} style=\"width:{:.1f}%\"></i></span>", cls, pct);
}

std::string unix_time_text(double t) {
    if (t <= 0) return "never";
    time_t secs = static_cast<time_t>(t);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string window_text(const StatusSnapshot& s) {
    double minutes = s.step * static_cast<double>(s.history_points) / 60.0;
    return fmt::format("last {:.0f} min, a point every {:.0f} s", minutes, s.step);
}

void render_alerts(std::string& out, const StatusSnapshot& s) {
    out += "<section id=\"alerts\"><h2>Alerts</h2>";
    if (s.alerts.empty()) {
        out += "<p class=\"ok\" id=\"no-alerts\">No alerts firing.";
        if (!s.alerting) out += " <span class=\"muted\">(Alerting is off.)</span>";
        else out += fmt::format(" <span class=\"muted\">({} rule{} watched.)</span>", s.alert_rules, s.alert_rules == 1 ? "" : "s");
        out += "</p></section>\n";
        return;
    }
    out += "<table><tr><th>severity</th><th>alert</th><th>where</th><th>value</th><th>since</th></tr>\n";
    for (const auto& a : s.alerts) {
        std::string where;
        for (const auto& [k, v] : a.labels) {
            if (v.empty()) continue;  // as in Alertmanager's body: a label without a value is no label
            if (!where.empty()) where += ", ";
            where += html_escape(k) + "=" + html_escape(v);
        }
        out += fmt::format("<tr><td><span class=\"sev {0}\">{0}</span></td><td><b>{1}</b><br><span class=\"sub\">{2}</span></td>"
                           "<td class=\"sub\">{3}</td><td>{4}</td><td class=\"sub\">{5}</td></tr>\n",
                           html_escape(a.severity), html_escape(a.name), html_escape(a.summary), where, fmt::format("{:g}", a.value),
                           unix_time_text(a.since));
    }
    out += "</table></section>\n";
}

void render_container(std::string& out, const StatusSnapshot& s, const ContainerStatus& c) {
    const auto& r = c.latest;
    std::string pod = pod_name(c);
    std::string who = "<span class=\"name\">" + html_escape(display_name(c)) + "</span>";
    std::string sub;
    if (!pod.empty()) sub += "pod " + html_escape(pod) + (c.container.empty() ? "" : " · " + html_escape(c.container));
    if (!c.image.empty()) sub += (sub.empty() ? "" : " · ") + html_escape(c.image);
    if (sub.empty()) sub = "cgroup " + html_escape(c.cgroup);
    out += fmt::format("<tr data-key=\"{}\"><td class=\"who\" title=\"cgroup {}\">{}<br><span class=\"sub\">{}</span></td>", html_escape(c.key),
                       html_escape(c.cgroup), who, sub);

    auto cpu = series(c.history, &HistoryPoint::cpu_percent);
    out += fmt::format("<td><div class=\"fig\">{}</div>{}</td>", percent(c.now.cpu_percent),
                       sparkline_svg(cpu, s.history_points, 5, 120, 24, "CPU % of one core, " + window_text(s)));

    std::string mem = human_bytes(static_cast<double>(r.memory_used));
    if (r.memory_limit) {
        mem += fmt::format(" / {} ({})", human_bytes(static_cast<double>(r.memory_limit)),
                           percent(static_cast<double>(r.memory_used) / static_cast<double>(r.memory_limit) * 100));
    } else {
        mem += " <span class=\"muted\">no limit</span>";
    }
    auto memory = series(c.history, &HistoryPoint::memory_used);
    out += fmt::format("<td><div class=\"fig\" data-memory-bytes=\"{}\">{}</div>{}{}</td>", r.memory_used, mem,
                       bar(static_cast<double>(r.memory_used), static_cast<double>(r.memory_limit)),
                       sparkline_svg(memory, s.history_points, 0, 120, 24, "memory used, " + window_text(s)));

    auto io = series(c.history, &HistoryPoint::io_bytes_per_second);
    std::string io_now = std::isnan(c.now.io_bytes_per_second) ? "–" : human_bytes(c.now.io_bytes_per_second) + "/s";
    out += fmt::format("<td><div class=\"fig\">{}</div>{}</td>", io_now,
                       sparkline_svg(io, s.history_points, 4096, 120, 24, "block IO read+written per second, " + window_text(s)));

    std::string pids = fmt::format("{}", r.pids);
    pids += r.pids_limit ? fmt::format(" / {}", r.pids_limit) : " <span class=\"muted\">no limit</span>";
    auto pid_series = series(c.history, &HistoryPoint::pids);
    out += fmt::format("<td><div class=\"fig\">{}</div>{}{}</td>", pids,
                       bar(static_cast<double>(r.pids), static_cast<double>(r.pids_limit)),
                       sparkline_svg(pid_series, s.history_points, 1, 120, 24, "tasks, " + window_text(s)));

    if (r.load1) {
        auto load = series(c.history, &HistoryPoint::load1);
        out += fmt::format("<td><div class=\"fig\">{:.2f}</div>{}</td>", *r.load1,
                           sparkline_svg(load, s.history_points, 1, 120, 24, "load average (1 min), " + window_text(s)));
    } else {
        out += "<td class=\"muted\" title=\"the container's own load average needs LXCFS's loadavg view\">–</td>";
    }
    out += "</tr>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string human_bytes(double bytes) {
    if (std::isnan(bytes)) return "–";
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    size_t u = 0;
    while (bytes >= 1024 && u + 1 < std::size(units)) {
        bytes /= 1024;
        ++u;
    }
    if (u == 0) return fmt::format("{:.0f} B", bytes);
    return bytes < 10 ? fmt::format("{:.1f} {}", bytes, units[u]) : fmt::format("{:.0f} {}", bytes, units[u]);
}

std::string sparkline_svg(const std::vector<float>& values, size_t slots, double floor_max, int width, int height,
                          std::string_view title) {
    slots = std::max(slots, values.size());
    double top = floor_max;
    double lo = NAN, hi = NAN;
    for (float v : values) {
        if (std::isnan(v)) continue;
        top = std::max(top, static_cast<double>(v));
        lo = std::isnan(lo) ? v : std::min(lo, static_cast<double>(v));
        hi = std::isnan(hi) ? v : std::max(hi, static_cast<double>(v));
    }
    // 1 px of margin above and below, so a flat line at the top or bottom stays visible.
    double h = height, w = width, usable = h - 2;
    auto x_of = [&](size_t i) { return slots <= 1 ? w : w * static_cast<double>(slots - values.size() + i) / static_cast<double>(slots - 1); };
    auto y_of = [&](float v) { return top > 0 ? 1 + usable * (1 - static_cast<double>(v) / top) : h - 1; };

    std::string out = fmt::format("<svg class=\"spark\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\">", width, height);
    out += "<title>" + html_escape(title);
    if (!std::isnan(lo)) out += html_escape(fmt::format(": {:.4g} .. {:.4g}", lo, hi));
    out += "</title>";
    out += fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"#f7f8fa\"/>", width, height);
    // Each run of values without a gap is one line over its area; a lone value is a dot.
    size_t i = 0;
    while (i < values.size()) {
        if (std::isnan(values[i])) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < values.size() && !std::isnan(values[j])) ++j;
        if (j - i == 1) {
            out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"1.5\" fill=\"#3566c4\"/>", coord(x_of(i)), coord(y_of(values[i])));
        } else {
            std::string line;
            for (size_t k = i; k < j; ++k) line += fmt::format("{}{},{}", k == i ? "" : " ", coord(x_of(k)), coord(y_of(values[k])));
            out += fmt::format("<polygon points=\"{},{} {} {},{}\" fill=\"#3566c4\" fill-opacity=\"0.15\"/>", coord(x_of(i)), coord(h), line,
                               coord(x_of(j - 1)), coord(h));
            out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"#3566c4\" stroke-width=\"1.3\"/>", line);
        }
        i = j;
    }
    out += "</svg>";
    return out;
}

std::string render_status_page(const StatusSnapshot& s) {
    std::string out;
    out.reserve(4096 + s.containers.size() * 3072);
    // The browser reloads the page once per collection (no faster than every 2 s): no script.
    int refresh = std::max(2, static_cast<int>(std::lround(s.interval)));
    out += fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"{}\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>mogu-monitor: {} container{}</title>"
        "<style>{}</style></head><body>\n",
        refresh, s.containers.size(), s.containers.size() == 1 ? "" : "s", kStyle);
    out += fmt::format(
        "<header><h1>mogu-monitor</h1><span>{} container{}</span><span>collected {} (every {} s)</span>"
        "<span><a style=\"color:#b8c0d0\" href=\"/metrics\">/metrics</a> · <a style=\"color:#b8c0d0\" href=\"/api/status\">/api/status</a></span></header>\n<main>\n",
        s.containers.size(), s.containers.size() == 1 ? "" : "s", unix_time_text(s.time), fmt::format("{:g}", s.interval));
    render_alerts(out, s);
    out += fmt::format("<section id=\"containers\"><h2>Containers <span class=\"sub\">({})</span></h2>\n", window_text(s));
    if (s.containers.empty()) {
        out += "<p class=\"muted\" id=\"no-containers\">No running containers found in the configured state roots.</p>";
    } else {
        out += "<table><tr><th>container</th><th>CPU (of one core)</th><th>memory used / limit</th><th>block IO</th><th>tasks / limit</th><th>load</th></tr>\n";
        for (const auto& c : s.containers) render_container(out, s, c);
        out += "</table>";
    }
    out += "</section>\n</main>\n";
    out += fmt::format("<footer>mogu-monitor {} · the page reloads every {} s · figures from the containers' cgroups</footer>\n</body></html>\n",
                       html_escape(s.version), refresh);
    return out;
}

}  // namespace mogu::monitor
