// The text format 0.0.4 as Prometheus (and promtool) read it.
#include "monitor/exposition.h"

#include <criterion/criterion.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

using namespace mogu::monitor;

// The text a call returns, compared as a string (kept alive while Criterion compares it).
#define expect_text(actual, expected)          \
    do {                                       \
        std::string text_ = (actual);          \
        cr_assert_str_eq(text_.c_str(), (expected)); \
    } while (0)

Test(exposition, renders_help_type_and_samples_once_per_family) {
    MetricSet set;
    set.add("container_memory_usage_bytes", MetricType::gauge, "Current memory usage in bytes.", {{"id", "/a"}, {"name", "a"}}, uint64_t{4096});
    set.add("up_total", MetricType::counter, "Ups.", {}, uint64_t{3});
    set.add("container_memory_usage_bytes", MetricType::gauge, "Current memory usage in bytes.", {{"id", "/b"}, {"name", "b"}}, uint64_t{8192});
    expect_text(set.render(),
                     "# HELP container_memory_usage_bytes Current memory usage in bytes.\n"
                     "# TYPE container_memory_usage_bytes gauge\n"
                     "container_memory_usage_bytes{id=\"/a\",name=\"a\"} 4096\n"
                     "container_memory_usage_bytes{id=\"/b\",name=\"b\"} 8192\n"
                     "# HELP up_total Ups.\n"
                     "# TYPE up_total counter\n"
                     "up_total 3\n");
}

Test(exposition, escapes_label_values_and_help) {
    MetricSet set;
    set.add("m", MetricType::gauge, "a \\ back\nslash", {{"l", "say \"hi\"\\\nbye"}}, uint64_t{1});
    expect_text(set.render(),
                     "# HELP m a \\\\ back\\nslash\n"
                     "# TYPE m gauge\n"
                     "m{l=\"say \\\"hi\\\"\\\\\\nbye\"} 1\n");
}

Test(exposition, keeps_integers_exact_and_writes_special_floats_as_prometheus_does) {
    expect_text(format_value(std::numeric_limits<uint64_t>::max()), "18446744073709551615");
    expect_text(format_value(0.25), "0.25");
    expect_text(format_value(1.5e-7), "1.5e-07");
    expect_text(format_value(12.0), "12");
    expect_text(format_value(std::nan("")), "NaN");
    expect_text(format_value(std::numeric_limits<double>::infinity()), "+Inf");
    expect_text(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
}

Test(exposition, leaves_out_families_without_samples) {
    MetricSet set;
    set.family("never_seen", MetricType::gauge, "Nothing.");
    expect_text(set.render(), "");
}

Test(exposition, refuses_names_outside_prometheus_grammar) {
    cr_assert(valid_metric_name("container_cpu_usage_seconds_total"));
    cr_assert(valid_metric_name("job:rate5m"));
    cr_assert(!valid_metric_name("9lives"));
    cr_assert(!valid_metric_name("memory-usage"));
    cr_assert(!valid_metric_name(""));
    cr_assert(valid_label_name("containerd_namespace"));
    cr_assert(!valid_label_name("__name__"));
    cr_assert(!valid_label_name("a:b"));
    MetricSet set;
    cr_assert_throw(set.add("bad-name", MetricType::gauge, "", {}, uint64_t{1}), std::logic_error);
    cr_assert_throw(set.add("ok", MetricType::gauge, "", {{"bad-label", "x"}}, uint64_t{1}), std::logic_error);
}

Test(exposition, one_name_cannot_be_two_types) {
    MetricSet set;
    set.add("x_total", MetricType::counter, "", {}, uint64_t{1});
    cr_assert_throw(set.add("x_total", MetricType::gauge, "", {}, uint64_t{1}), std::logic_error);
}
