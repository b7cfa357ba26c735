#include "monitor/exposition.h"

#include <fmt/core.h>

#include <cmath>
#include <stdexcept>

namespace mogu::monitor {
namespace {

bool name_char(char c, bool first, bool colon_ok) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
    if (colon_ok && c == ':') return true;
    return !first && c >= '0' && c <= '9';
}

const char* type_name(MetricType t) { return t == MetricType::counter ? "counter" : "gauge"; }

}  // namespace

bool valid_metric_name(std::string_view name) {
    if (name.empty()) return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0, true)) return false;
    return true;
}

bool valid_label_name(std::string_view name) {
    if (name.empty() || name.substr(0, 2) == "__") return false;  // "__" is reserved for Prometheus
    for (size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0, false)) return false;
    return true;
}

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string escape_help(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string format_value(const Value& v) {
    if (auto u = std::get_if<uint64_t>(&v)) return fmt::format("{}", *u);
    double d = std::get<double>(v);
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", d);  // shortest text that reads back as the same double
}

Family& MetricSet::family(std::string_view name, MetricType type, std::string_view help) {
    auto it = index_.find(std::string(name));
    if (it != index_.end()) {
        Family& f = families_[it->second];
        if (f.type != type) throw std::logic_error(fmt::format("metric {} asked for as {} and {}", name, type_name(f.type), type_name(type)));
        return f;
    }
    if (!valid_metric_name(name)) throw std::logic_error(fmt::format("invalid metric name \"{}\"", name));
    index_.emplace(std::string(name), families_.size());
    families_.push_back(Family{std::string(name), std::string(help), type, {}});
    return families_.back();
}

void MetricSet::add(std::string_view name, MetricType type, std::string_view help, Labels labels, Value value) {
    for (const auto& [k, v] : labels)
        if (!valid_label_name(k)) throw std::logic_error(fmt::format("metric {}: invalid label name \"{}\"", name, k));
    family(name, type, help).samples.push_back(Sample{std::move(labels), value});
}

std::string MetricSet::render() const {
    std::string out;
    for (const auto& f : families_) {
        if (f.samples.empty()) continue;
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, escape_help(f.help), f.name, type_name(f.type));
        for (const auto& s : f.samples) {
            out += f.name;
            if (!s.labels.empty()) {
                out += '{';
                for (size_t i = 0; i < s.labels.size(); ++i) {
                    if (i) out += ',';
                    out += s.labels[i].first;
                    out += "=\"";
                    out += escape_label_value(s.labels[i].second);
                    out += '"';
                }
                out += '}';
            }
            out += ' ';
            out += format_value(s.value);
            out += '\n';
        }
    }
    return out;
}

}  // namespace mogu::monitor
