// Prometheus's text exposition format 0.0.4: metric families (HELP, TYPE, samples) built during
// one collection and rendered once. Nothing here knows about containers; collectors fill a
// MetricSet, the listener serves what render() made.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace mogu::monitor {

enum class MetricType { counter, gauge };

using Labels = std::vector<std::pair<std::string, std::string>>;
// Counters and byte counts stay exact integers (a double loses them past 2^53); rates, seconds
// and averages are doubles.
using Value = std::variant<uint64_t, double>;

struct Sample {
    Labels labels;
    Value value;
};

struct Family {
    std::string name, help;
    MetricType type = MetricType::gauge;
    std::vector<Sample> samples;
};

// Families in the order they were first asked for; a family without samples is not rendered.
class MetricSet {
public:
    // The family called `name`, made on first use. Names and label names are checked against
    // Prometheus's grammar; asking again with another type is a programming error (both throw
    // std::logic_error).
    Family& family(std::string_view name, MetricType type, std::string_view help);
    void add(std::string_view name, MetricType type, std::string_view help, Labels labels, Value value);

    const std::vector<Family>& families() const { return families_; }
    std::string render() const;

private:
    std::vector<Family> families_;
    std::unordered_map<std::string, size_t> index_;
};

// The pieces of the format, exposed for tests.
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);
std::string escape_label_value(std::string_view v);  // \\, \" and \n
std::string escape_help(std::string_view v);         // \\ and \n
std::string format_value(const Value& v);            // integers as such; NaN, +Inf, -Inf

inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace mogu::monitor
