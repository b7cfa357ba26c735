// The alert engine: rules evaluated over each collection's MetricSet, alerts that fire once
// when a rule's condition has held for its `for` and resolve once when it stops holding (or the
// series goes, with its container), and alerts raised from events (an OOM kill) that resolve
// after a set time. Thread-safe: the collector evaluates, the kernel log's thread raises, the
// status page lists.
#pragma once

#include "monitor/alert_rules.h"
#include "monitor/exposition.h"

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mogu::monitor {

struct Alert {
    std::string name, severity, summary;  // what: the rule's name, its severity and summary
    Labels labels;                        // where: the series' labels (id, name, containerd_namespace, ...) and host
    double value = 0;                     // the value that breached (last seen while firing)
    std::chrono::system_clock::time_point starts_at, ends_at;  // ends_at: epoch while firing
    bool firing = true;

    std::string label(std::string_view key) const;  // "" when absent
};

class AlertEngine {
public:
    using SteadyTime = std::chrono::steady_clock::time_point;
    using WallTime = std::chrono::system_clock::time_point;

    AlertEngine(std::vector<AlertRule> rules, std::string host);

    // One evaluation over a collection; returns the alerts that fired or resolved just now.
    // Also resolves raised alerts whose time is up.
    std::vector<Alert> evaluate(const MetricSet& set, SteadyTime now, WallTime wall);
    std::vector<Alert> evaluate(const MetricSet& set) { return evaluate(set, std::chrono::steady_clock::now(), std::chrono::system_clock::now()); }

    // An alert from an event, firing now (returned for delivery) and resolving after `lasts`.
    // Raising one already firing (same name and labels) restarts its time and returns nothing.
    std::vector<Alert> raise(Alert alert, std::chrono::milliseconds lasts, SteadyTime now, WallTime wall);

    // What fires now, oldest first: for the status page.
    std::vector<Alert> firing() const;

    // mogu_alerts_firing{alertname,severity,<the alert's labels>} 1 for each firing alert, and
    // mogu_alerts_total{alertname,severity} counting firings.
    void add_metrics(MetricSet& set) const;

    const std::vector<AlertRule>& rules() const { return rules_; }

private:
    struct State {
        Alert alert;
        SteadyTime since;          // condition true since (pending) / raised at
        SteadyTime until{};        // raised alerts: when they resolve
        bool raised = false;
    };
    std::vector<AlertRule> rules_;
    std::string host_;
    mutable std::mutex mu_;
    std::map<std::string, State> states_;  // key: name + labels
    std::map<std::pair<std::string, std::string>, uint64_t> fired_;  // (name, severity) -> count
};

double value_of(const Value& v);

}  // namespace mogu::monitor
