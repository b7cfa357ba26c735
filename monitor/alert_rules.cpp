#include "monitor/alert_rules.h"

#include "common/error.h"
#include "common/strings.h"
#include "monitor/config.h"
#include "monitor/exposition.h"

#include <fmt/core.h>

#include <cmath>
#include <set>

namespace mogu::monitor {
namespace {

[[noreturn]] void bad(const std::string& source, const toml::node& n, const std::string& what, const std::string& why) {
    throw Error("{}:{}: {}: {}", source, n.source().begin.line, what, why);
}

std::string string_of(const std::string& source, const toml::node& n, const std::string& what) {
    auto s = n.value_exact<std::string>();
    if (!s) bad(source, n, what, "expected a string");
    return *s;
}

std::chrono::milliseconds duration_of(const std::string& source, const toml::node& n, const std::string& what) {
    std::chrono::milliseconds d;
    auto s = string_of(source, n, what);
    if (!parse_duration(s, d)) bad(source, n, what, fmt::format("\"{}\" is not a duration such as \"10s\" or \"500ms\"", s));
    return d;
}

void refuse_unknown(const std::string& source, const toml::table& t, const std::string& prefix, const std::set<std::string>& known) {
    for (auto& [k, v] : t) {
        std::string name(k.str());
        if (known.count(name)) continue;
        throw Error("{}:{}: {}{}: unknown key (known: {})", source, k.source().begin.line, prefix, name,
                    join(std::vector<std::string>(known.begin(), known.end()), ", "));
    }
}

AlertRule parse_rule(const std::string& source, const toml::table& t, size_t index) {
    AlertRule r;
    r.line = static_cast<int>(t.source().begin.line);
    std::string where = fmt::format("rules[{}]", index);
    if (auto n = t.get("name")) {
        r.name = string_of(source, *n, where + ".name");
        if (!valid_label_name(r.name)) bad(source, *n, where + ".name", fmt::format("\"{}\" is not a name such as ContainerPidsNearLimit", r.name));
        where = fmt::format("rules[{}] ({})", index, r.name);
    } else {
        throw Error("{}:{}: {}: name is missing", source, r.line, where);
    }
    refuse_unknown(source, t, where + ": ", {"name", "metric", "labels", "op", "threshold", "for", "severity", "summary"});
    auto need = [&](const char* key) -> const toml::node& {
        auto n = t.get(key);
        if (!n) throw Error("{}:{}: {}: {} is missing", source, r.line, where, key);
        return *n;
    };
    const toml::node& metric = need("metric");
    r.metric = string_of(source, metric, where + ": metric");
    if (!known_metric(r.metric))
        bad(source, metric, where + ": metric", fmt::format("\"{}\" is not a series mogu-monitor exposes (see docs/monitoring.md)", r.metric));
    if (auto n = t.get("labels")) {
        auto* lt = n->as_table();
        if (!lt) bad(source, *n, where + ": labels", "expected a table such as { name = \"web\" }");
        for (auto& [k, v] : *lt) {
            std::string name(k.str());
            if (!valid_label_name(name)) bad(source, v, where + ": labels." + name, "not a label name");
            r.matchers.emplace_back(name, string_of(source, v, where + ": labels." + name));
        }
    }
    const toml::node& op = need("op");
    auto ops = string_of(source, op, where + ": op");
    if (ops == ">") r.op = CompareOp::gt;
    else if (ops == ">=") r.op = CompareOp::ge;
    else if (ops == "<") r.op = CompareOp::lt;
    else if (ops == "<=") r.op = CompareOp::le;
    else bad(source, op, where + ": op", fmt::format("\"{}\" is not one of > >= < <=", ops));
    const toml::node& th = need("threshold");
    if (auto i = th.value_exact<int64_t>()) r.threshold = static_cast<double>(*i);
    else if (auto d = th.value_exact<double>()) r.threshold = *d;
    else bad(source, th, where + ": threshold", "expected a number");
    // TOML has nan and inf: a rule on either would never fire (nan) or always (inf).
    if (!std::isfinite(r.threshold)) bad(source, th, where + ": threshold", fmt::format("{} is not a finite number", r.threshold));
    if (auto n = t.get("for")) r.hold = duration_of(source, *n, where + ": for");
    const toml::node& sev = need("severity");
    r.severity = string_of(source, sev, where + ": severity");
    if (r.severity != "critical" && r.severity != "warning" && r.severity != "info")
        bad(source, sev, where + ": severity", fmt::format("\"{}\" is not one of critical, warning, info", r.severity));
    if (auto n = t.get("summary")) r.summary = string_of(source, *n, where + ": summary");
    return r;
}

}  // namespace

const char* op_text(CompareOp op) {
    switch (op) {
        case CompareOp::gt: return ">";
        case CompareOp::ge: return ">=";
        case CompareOp::lt: return "<";
        case CompareOp::le: return "<=";
    }
    return "?";
}

bool compare(CompareOp op, double value, double threshold) {
    switch (op) {
        case CompareOp::gt: return value > threshold;
        case CompareOp::ge: return value >= threshold;
        case CompareOp::lt: return value < threshold;
        case CompareOp::le: return value <= threshold;
    }
    return false;
}

std::vector<AlertRule> parse_alert_rules(const std::string& source, const toml::node& node) {
    auto* arr = node.as_array();
    if (!arr) bad(source, node, "rules", "expected tables ([[rules]])");
    std::vector<AlertRule> rules;
    std::set<std::string> names;
    for (size_t i = 0; i < arr->size(); ++i) {
        auto* t = arr->get(i)->as_table();
        if (!t) bad(source, *arr->get(i), fmt::format("rules[{}]", i), "expected a table ([[rules]])");
        auto r = parse_rule(source, *t, i);
        if (!names.insert(r.name).second) throw Error("{}:{}: rules[{}] ({}): a rule of that name comes earlier", source, r.line, i, r.name);
        rules.push_back(std::move(r));
    }
    return rules;
}

AlertDeliveryConfig parse_alert_delivery(const std::string& source, const toml::node& node) {
    auto* t = node.as_table();
    if (!t) bad(source, node, "alerts", "expected a table ([alerts])");
    refuse_unknown(source, *t, "alerts.", {"log", "webhook", "webhook_timeout", "webhook_repeat", "oom", "oom_resolve_after"});
    AlertDeliveryConfig d;
    if (auto n = t->get("log")) {
        d.log = string_of(source, *n, "alerts.log");
        if (d.log.empty() || d.log[0] != '/') bad(source, *n, "alerts.log", fmt::format("\"{}\" is not an absolute path", d.log));
    }
    if (auto n = t->get("webhook")) {
        d.webhook = string_of(source, *n, "alerts.webhook");
        if (!d.webhook.starts_with("http://") && !d.webhook.starts_with("https://"))
            bad(source, *n, "alerts.webhook", fmt::format("\"{}\" is not an http:// or https:// URL", d.webhook));
    }
    if (auto n = t->get("webhook_timeout")) {
        d.webhook_timeout = duration_of(source, *n, "alerts.webhook_timeout");
        if (d.webhook_timeout < std::chrono::milliseconds(100) || d.webhook_timeout > std::chrono::minutes(1))
            bad(source, *n, "alerts.webhook_timeout", "outside 100ms .. 1m");
    }
    if (auto n = t->get("webhook_repeat")) {
        d.webhook_repeat = duration_of(source, *n, "alerts.webhook_repeat");
        if (d.webhook_repeat.count() != 0 && d.webhook_repeat < std::chrono::seconds(1))
            bad(source, *n, "alerts.webhook_repeat", "shorter than 1s (\"0s\" turns repeating off)");
    }
    if (auto n = t->get("oom")) {
        auto b = n->value_exact<bool>();
        if (!b) bad(source, *n, "alerts.oom", "expected true or false");
        d.oom = *b;
    }
    if (auto n = t->get("oom_resolve_after")) d.oom_resolve_after = duration_of(source, *n, "alerts.oom_resolve_after");
    return d;
}

bool known_metric(std::string_view name) {
    // Every family the collectors add (container_metrics, container_collector, host_collector, daemon_health,
    // thin_pool_status, kernel_log, main); the unit tests check a collection against this list.
    static const std::set<std::string, std::less<>> names = {
        "container_cpu_cfs_periods_total", "container_cpu_cfs_throttled_periods_total", "container_cpu_cfs_throttled_seconds_total",
        "container_cpu_system_seconds_total", "container_cpu_usage_seconds_total", "container_cpu_user_seconds_total",
        "container_fs_reads_bytes_total", "container_fs_reads_total", "container_fs_writes_bytes_total", "container_fs_writes_total",
        "container_memory_cache", "container_memory_kernel_usage", "container_memory_mapped_file", "container_memory_max_usage_bytes",
        "container_network_receive_bytes_total", "container_network_receive_errors_total",
        "container_network_receive_packets_dropped_total", "container_network_receive_packets_total",
        "container_network_transmit_bytes_total", "container_network_transmit_errors_total",
        "container_network_transmit_packets_dropped_total", "container_network_transmit_packets_total", "mogu_container_restarts_total",
        "container_memory_rss", "container_memory_swap", "container_memory_usage_bytes", "container_memory_working_set_bytes",
        "container_oom_events_total", "container_spec_memory_limit_bytes", "container_start_time_seconds", "container_threads",
        "container_threads_max", "mogu_container_load1", "mogu_container_load5", "mogu_container_load15",
        "mogu_container_memory_limit_hits_total", "mogu_container_oom_kills_total", "mogu_container_vm_cpus",
        "mogu_container_vm_info", "mogu_container_vm_memory_bytes", "mogu_daemon_restarts_total",
        "mogu_daemon_start_time_seconds", "mogu_daemon_up", "mogu_host_thin_pool_data_size_bytes", "mogu_host_thin_pool_data_used_bytes",
        "mogu_host_thin_pool_metadata_size_bytes", "mogu_host_thin_pool_metadata_used_bytes", "mogu_host_thin_pool_mode",
        "mogu_host_thin_pool_needs_check", "mogu_host_thin_pool_up", "mogu_kernel_events_total", "mogu_kernel_log_lost_records_total",
        "mogu_kernel_log_records_total", "mogu_kernel_log_up", "mogu_monitor_build_info", "mogu_monitor_collection_duration_seconds",
        "mogu_monitor_container_read_errors_total", "mogu_monitor_containers", "mogu_monitor_last_collection_timestamp_seconds",
        "mogu_monitor_state_roots", "node_filefd_allocated", "node_filefd_maximum", "node_filesystem_avail_bytes",
        "node_filesystem_device_error", "node_filesystem_files", "node_filesystem_files_free", "node_filesystem_free_bytes",
        "node_filesystem_readonly", "node_filesystem_size_bytes", "node_load1", "node_load5", "node_load15",
        "node_nf_conntrack_entries", "node_nf_conntrack_entries_limit", "node_processes_max_processes", "node_processes_max_threads",
        "node_processes_pids", "node_processes_threads",
    };
    if (names.count(name)) return true;
    // Families named after what the kernel lists (/proc/meminfo fields, PSI resources of the host
    // and of each container, sockstat).
    for (std::string_view prefix : {"mogu_host_meminfo_", "node_pressure_", "node_sockstat_", "container_pressure_"})
        if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix && valid_metric_name(name)) return true;
    return false;
}

}  // namespace mogu::monitor
