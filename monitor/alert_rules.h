// Alerting rules from monitor.toml's [[rules]] tables, and where alerts go ([alerts]).
//
//   [[rules]]
//   name      = "ContainerPidsNearLimit"     # the alert's name: [A-Za-z_][A-Za-z0-9_]*
//   metric    = "container_threads"          # a series the monitor exposes (metric_catalog)
//   labels    = { containerd_namespace = "k8s.io" }   # optional: equal label values
//   op        = ">="                         # > >= < <=
//   threshold = 30
//   for       = "10s"                        # optional, default 0s: fires at the first breach
//   severity  = "warning"                    # critical, warning or info
//   summary   = "..."                        # optional
//
//   [alerts]
//   log               = "/var/log/mogu/alerts.jsonl"   # JSON lines, one per firing/resolving
//   webhook           = "http://127.0.0.1:9093/api/v2/alerts"   # Alertmanager API v2
//   webhook_timeout   = "5s"
//   webhook_repeat    = "1m"                            # firing alerts posted again ("0s": never)
//   oom               = true                            # the built-in ContainerOOMKilled alert
//   oom_resolve_after = "5m"
#pragma once

#include "common/toml.h"

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mogu::monitor {

enum class CompareOp { gt, ge, lt, le };
const char* op_text(CompareOp op);
bool compare(CompareOp op, double value, double threshold);

struct AlertRule {
    std::string name, metric;
    std::vector<std::pair<std::string, std::string>> matchers;  // label == value, all of them
    CompareOp op = CompareOp::gt;
    double threshold = 0;
    std::chrono::milliseconds hold{0};  // `for`
    std::string severity, summary;
    int line = 0;  // in the config, for messages
};

struct AlertDeliveryConfig {
    std::string log;      // "" : none
    std::string webhook;  // "" : none
    std::chrono::milliseconds webhook_timeout{5000};
    // Firing alerts are posted again this often (0: never), so that Alertmanager, which ends an
    // alert it has not heard of for its resolve_timeout (5m), keeps them active.
    std::chrono::milliseconds webhook_repeat{60000};
    size_t queue_limit = 1024;  // webhook posts waiting; the oldest is dropped beyond it
    bool oom = true;
    std::chrono::milliseconds oom_resolve_after{300000};
};

// `node` is the value of the top-level key "rules" (an array of tables); errors name the file,
// the line and the rule ("monitor.toml:12: rules[1] (HighMemory): metric: ...").
std::vector<AlertRule> parse_alert_rules(const std::string& source, const toml::node& node);
AlertDeliveryConfig parse_alert_delivery(const std::string& source, const toml::node& node);

// Whether mogu-monitor can expose a series called `name` (whatever is running right now).
bool known_metric(std::string_view name);

}  // namespace mogu::monitor
