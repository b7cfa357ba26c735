#include "monitor/status.h"

#include "runtime/version.h"

#include <algorithm>
#include <set>

namespace mogu::monitor {
namespace {

std::string label(const Labels& labels, const char* name) {
    for (const auto& [k, v] : labels)
        if (k == name) return v;
    return "";
}

}  // namespace

void StatusBoard::update(const std::vector<ContainerReading>& readings, double unix_time) {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> keys;
    for (const auto& r : readings) {
        history_.record(r.key, r.reading);
        keys.insert(r.key);
    }
    history_.keep_only(keys);
    current_ = readings;
    time_ = unix_time;
}

void StatusBoard::set_alerts(std::shared_ptr<const AlertSource> alerts) {
    std::lock_guard<std::mutex> lock(mu_);
    alerts_ = std::move(alerts);
}

StatusSnapshot StatusBoard::snapshot() const {
    StatusSnapshot s;
    std::shared_ptr<const AlertSource> alerts;
    {
        std::lock_guard<std::mutex> lock(mu_);
        s.time = time_;
        s.interval = interval_;
        s.step = history_.step();
        s.history_points = history_.capacity();
        s.containers.reserve(current_.size());
        for (const auto& r : current_) {
            ContainerStatus c;
            c.key = r.key;
            c.name = label(r.labels, "name");
            c.cgroup = label(r.labels, "id");
            c.containerd_namespace = label(r.labels, "containerd_namespace");
            c.k8s_namespace = label(r.labels, "namespace");
            c.pod = label(r.labels, "pod");
            c.container = label(r.labels, "container");
            c.image = label(r.labels, "image");
            c.latest = r.reading;
            if (const auto* h = history_.find(r.key)) {
                c.history = h->points();
                c.now = h->current();
            }
            s.containers.push_back(std::move(c));
        }
        alerts = alerts_;
    }
    s.version = kMoguVersion;
    std::sort(s.containers.begin(), s.containers.end(), [](const ContainerStatus& a, const ContainerStatus& b) {
        return std::tie(a.containerd_namespace, a.name, a.key) < std::tie(b.containerd_namespace, b.name, b.key);
    });
    // Outside our lock: the alert source has its own.
    if (alerts) {
        s.alerting = true;
        s.alert_rules = alerts->rules();
        s.alerts = alerts->firing();
    }
    return s;
}

std::string display_name(const ContainerStatus& c) {
    return c.containerd_namespace.empty() ? c.name : c.containerd_namespace + "/" + c.name;
}

std::string pod_name(const ContainerStatus& c) {
    if (c.pod.empty()) return "";
    return c.k8s_namespace.empty() ? c.pod : c.k8s_namespace + "/" + c.pod;
}

}  // namespace mogu::monitor
