#include "monitor/status_json.h"

#include "common/json.h"

#include <cmath>

namespace mogu::monitor {
namespace {

void number_or_null(JsonWriter& w, double v) {
    if (std::isfinite(v)) w.value(v);
    else w.null();
}

void series(JsonWriter& w, const char* key, const std::vector<HistoryPoint>& h, float HistoryPoint::*field) {
    w.key(key).begin_array();
    for (const auto& p : h) number_or_null(w, p.*field);
    w.end_array();
}

double number_or_nan(const Json& obj, const char* key) {
    auto v = obj.get(key);
    return v ? v->as_double() : NAN;
}

uint64_t uint_or_zero(const Json& obj, const char* key) {
    auto v = obj.get(key);
    return v ? v->as_uint() : 0;
}

std::vector<float> read_series(const Json& history, const char* key) {
    std::vector<float> out;
    auto arr = history.get(key);
    if (!arr) return out;
    for (const auto& e : arr->expect_array().elements()) out.push_back(e.is_null() ? NAN : static_cast<float>(e.as_double()));
    return out;
}

}  // namespace

std::string status_json(const StatusSnapshot& s) {
    JsonWriter w;
    w.begin_object();
    w.kv("version", s.version);
    w.key("time");
    number_or_null(w, s.time);
    w.key("interval_seconds");
    number_or_null(w, s.interval);
    w.key("history_step_seconds");
    number_or_null(w, s.step);
    w.kv("history_points", static_cast<unsigned long long>(s.history_points));
    w.key("alerting").begin_object();
    w.kv("enabled", s.alerting);
    w.kv("rules", static_cast<unsigned long long>(s.alert_rules));
    w.key("firing").begin_array();
    for (const auto& a : s.alerts) {
        w.begin_object();
        w.kv("name", a.name).kv("severity", a.severity).kv("summary", a.summary);
        w.key("labels").begin_object();
        for (const auto& [k, v] : a.labels) w.kv(k, v);
        w.end_object();
        w.key("value");
        number_or_null(w, a.value);
        w.key("since");
        number_or_null(w, a.since);
        w.end_object();
    }
    w.end_array().end_object();
    w.key("containers").begin_array();
    for (const auto& c : s.containers) {
        w.begin_object();
        w.kv("key", c.key).kv("name", c.name).kv("cgroup", c.cgroup).kv("containerd_namespace", c.containerd_namespace);
        w.kv("namespace", c.k8s_namespace).kv("pod", c.pod).kv("container", c.container).kv("image", c.image);
        w.key("cpu_percent");
        number_or_null(w, c.now.cpu_percent);
        w.kv("memory_used_bytes", static_cast<unsigned long long>(c.latest.memory_used));
        w.kv("memory_limit_bytes", static_cast<unsigned long long>(c.latest.memory_limit));
        w.key("io_bytes_per_second");
        number_or_null(w, c.now.io_bytes_per_second);
        w.kv("pids", static_cast<unsigned long long>(c.latest.pids));
        w.kv("pids_limit", static_cast<unsigned long long>(c.latest.pids_limit));
        w.key("load1");
        number_or_null(w, c.latest.load1 ? *c.latest.load1 : NAN);
        w.key("history").begin_object();
        series(w, "cpu_percent", c.history, &HistoryPoint::cpu_percent);
        series(w, "memory_used_bytes", c.history, &HistoryPoint::memory_used);
        series(w, "io_bytes_per_second", c.history, &HistoryPoint::io_bytes_per_second);
        series(w, "pids", c.history, &HistoryPoint::pids);
        series(w, "load1", c.history, &HistoryPoint::load1);
        w.end_object();
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return w.str() + "\n";
}

StatusSnapshot parse_status_json(const std::string& text, const std::string& source) {
    auto doc = JsonDoc::parse(text, source);
    Json root = doc.root();
    root.expect_object();
    StatusSnapshot s;
    s.version = root.string_or("version", "");
    s.time = number_or_nan(root, "time");
    s.interval = number_or_nan(root, "interval_seconds");
    s.step = number_or_nan(root, "history_step_seconds");
    s.history_points = uint_or_zero(root, "history_points");
    if (auto a = root.get("alerting")) {
        a->expect_object();
        if (auto e = a->get("enabled")) s.alerting = e->as_bool();
        s.alert_rules = uint_or_zero(*a, "rules");
        if (auto f = a->get("firing")) {
            for (const auto& e : f->expect_array().elements()) {
                FiringAlert al;
                al.name = e.string_or("name", "");
                al.severity = e.string_or("severity", "");
                al.summary = e.string_or("summary", "");
                if (auto l = e.get("labels")) l->expect_object().for_each_member([&](std::string_view k, const Json& v) {
                    al.labels.emplace_back(std::string(k), v.as_string());
                });
                al.value = number_or_nan(e, "value");
                al.since = number_or_nan(e, "since");
                s.alerts.push_back(std::move(al));
            }
        }
    }
    auto containers = root.get("containers");
    if (!containers) return s;
    for (const auto& e : containers->expect_array().elements()) {
        e.expect_object();
        ContainerStatus c;
        c.key = e.string_or("key", "");
        c.name = e.string_or("name", "");
        c.cgroup = e.string_or("cgroup", "");
        c.containerd_namespace = e.string_or("containerd_namespace", "");
        c.k8s_namespace = e.string_or("namespace", "");
        c.pod = e.string_or("pod", "");
        c.container = e.string_or("container", "");
        c.image = e.string_or("image", "");
        c.now.cpu_percent = static_cast<float>(number_or_nan(e, "cpu_percent"));
        c.now.io_bytes_per_second = static_cast<float>(number_or_nan(e, "io_bytes_per_second"));
        c.latest.memory_used = uint_or_zero(e, "memory_used_bytes");
        c.latest.memory_limit = uint_or_zero(e, "memory_limit_bytes");
        c.latest.pids = uint_or_zero(e, "pids");
        c.latest.pids_limit = uint_or_zero(e, "pids_limit");
        double load = number_or_nan(e, "load1");
        if (!std::isnan(load)) c.latest.load1 = load;
        c.now.memory_used = static_cast<float>(c.latest.memory_used);
        c.now.pids = static_cast<float>(c.latest.pids);
        c.now.load1 = static_cast<float>(load);
        if (auto h = e.get("history")) {
            h->expect_object();
            auto cpu = read_series(*h, "cpu_percent"), mem = read_series(*h, "memory_used_bytes"),
                 io = read_series(*h, "io_bytes_per_second"), pids = read_series(*h, "pids"), load1 = read_series(*h, "load1");
            size_t n = std::max({cpu.size(), mem.size(), io.size(), pids.size(), load1.size()});
            c.history.resize(n);
            auto fill = [&](const std::vector<float>& v, float HistoryPoint::*field) {
                for (size_t i = 0; i < v.size(); ++i) c.history[i].*field = v[i];
            };
            fill(cpu, &HistoryPoint::cpu_percent);
            fill(mem, &HistoryPoint::memory_used);
            fill(io, &HistoryPoint::io_bytes_per_second);
            fill(pids, &HistoryPoint::pids);
            fill(load1, &HistoryPoint::load1);
        }
        s.containers.push_back(std::move(c));
    }
    return s;
}

}  // namespace mogu::monitor
