#include "monitor/alerts.h"

#include <algorithm>
#include <set>

namespace mogu::monitor {
namespace {

std::string key_of(const std::string& name, const Labels& labels) {
    std::string k = name;
    for (auto& [n, v] : labels) {
        k += '\0';
        k += n;
        k += '=';
        k += v;
    }
    return k;
}

bool matches(const AlertRule& r, const Labels& labels) {
    for (const auto& m : r.matchers) {
        auto it = std::find_if(labels.begin(), labels.end(), [&](auto& l) { return l.first == m.first; });
        if ((it == labels.end() ? std::string() : it->second) != m.second) return false;
    }
    return true;
}

}  // namespace

double value_of(const Value& v) { return std::holds_alternative<uint64_t>(v) ? static_cast<double>(std::get<uint64_t>(v)) : std::get<double>(v); }

std::string Alert::label(std::string_view key) const {
    for (auto& [n, v] : labels)
        if (n == key) return v;
    return {};
}

AlertEngine::AlertEngine(std::vector<AlertRule> rules, std::string host) : rules_(std::move(rules)), host_(std::move(host)) {}

std::vector<Alert> AlertEngine::evaluate(const MetricSet& set, SteadyTime now, WallTime wall) {
    std::vector<Alert> changed;
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> seen;
    for (auto& rule : rules_) {
        for (auto& family : set.families()) {
            if (family.name != rule.metric) continue;
            for (auto& sample : family.samples) {
                if (!matches(rule, sample.labels)) continue;
                double v = value_of(sample.value);
                if (!compare(rule.op, v, rule.threshold)) continue;
                Labels labels = sample.labels;
                if (!host_.empty()) labels.emplace_back("host", host_);
                auto key = key_of(rule.name, labels);
                seen.insert(key);
                auto [it, fresh] = states_.try_emplace(key);
                State& s = it->second;
                if (fresh) {
                    s.since = now;
                    s.alert.name = rule.name;
                    s.alert.severity = rule.severity;
                    s.alert.summary = rule.summary;
                    s.alert.labels = std::move(labels);
                    s.alert.firing = false;  // pending until `for` has passed
                }
                s.alert.value = v;
                if (!s.alert.firing && now - s.since >= rule.hold) {
                    s.alert.firing = true;
                    s.alert.starts_at = wall;
                    ++fired_[{rule.name, rule.severity}];
                    changed.push_back(s.alert);
                }
            }
        }
    }
    for (auto it = states_.begin(); it != states_.end();) {
        State& s = it->second;
        bool over = s.raised ? now >= s.until : !seen.count(it->first);
        if (!over) {
            ++it;
            continue;
        }
        if (s.alert.firing) {
            s.alert.firing = false;
            s.alert.ends_at = wall;
            changed.push_back(s.alert);
        }
        it = states_.erase(it);
    }
    return changed;
}

std::vector<Alert> AlertEngine::raise(Alert alert, std::chrono::milliseconds lasts, SteadyTime now, WallTime wall) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!host_.empty() && alert.label("host").empty()) alert.labels.emplace_back("host", host_);
    auto key = key_of(alert.name, alert.labels);
    auto [it, fresh] = states_.try_emplace(key);
    State& s = it->second;
    s.raised = true;
    s.since = now;
    s.until = now + lasts;
    if (!fresh) {
        s.alert.value = alert.value;
        return {};
    }
    alert.firing = true;
    alert.starts_at = wall;
    alert.ends_at = {};
    s.alert = std::move(alert);
    ++fired_[{s.alert.name, s.alert.severity}];
    return {s.alert};
}

std::vector<Alert> AlertEngine::firing() const {
    std::vector<Alert> out;
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& [k, s] : states_)
            if (s.alert.firing) out.push_back(s.alert);
    }
    std::stable_sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) { return a.starts_at < b.starts_at; });
    return out;
}

void AlertEngine::add_metrics(MetricSet& set) const {
    std::lock_guard<std::mutex> lock(mu_);
    // Made even when empty, so a rule on them is never refused for want of a family.
    set.family("mogu_alerts_firing", MetricType::gauge, "1 for each alert firing now, with the rule's name, severity and the series' labels.");
    for (auto& [k, s] : states_) {
        if (!s.alert.firing) continue;
        Labels l = {{"alertname", s.alert.name}, {"severity", s.alert.severity}};
        for (auto& p : s.alert.labels)
            if (p.first != "alertname" && p.first != "severity") l.push_back(p);
        set.add("mogu_alerts_firing", MetricType::gauge, "1 for each alert firing now, with the rule's name, severity and the series' labels.", l,
                uint64_t{1});
    }
    for (auto& [ns, n] : fired_)
        set.add("mogu_alerts_fired_total", MetricType::counter, "Alerts that fired since the monitor started, by rule.",
                {{"alertname", ns.first}, {"severity", ns.second}}, n);
}

}  // namespace mogu::monitor
