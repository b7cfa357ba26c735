// The 15-minute rings behind the status page's sparklines.
#include "monitor/history.h"
#include "monitor/status.h"

#include <criterion/criterion.h>

#include <cmath>
#include <string>

using namespace mogu::monitor;

// The text a call returns, compared as a string (kept alive while Criterion compares it).
#define expect_text(actual, expected)                \
    do {                                             \
        std::string text_ = (actual);                \
        cr_assert_str_eq(text_.c_str(), (expected)); \
    } while (0)

static Reading at(double t, uint64_t cpu_ns, uint64_t mem, uint64_t io = 0) {
    Reading r;
    r.time = t;
    r.cpu_ns = cpu_ns;
    r.memory_used = mem;
    r.io_bytes = io;
    r.pids = 3;
    return r;
}

Test(history, points_are_ten_seconds_apart_at_most_ninety_for_fifteen_minutes) {
    cr_assert_eq(history_step(0.2), 10.0);
    cr_assert_eq(history_step(10), 10.0);
    cr_assert_eq(history_step(30), 30.0);
    cr_assert_eq(history_capacity(10), 90u);
    cr_assert_eq(history_capacity(30), 30u);
    cr_assert_eq(history_capacity(3600), 1u);
}

Test(history, rates_run_from_the_last_reading_of_the_step_before) {
    ContainerHistory h(10, 90);
    h.record(at(100, 0, 1000, 0));
    // First point: gauges, but no rate yet.
    cr_assert(std::isnan(h.newest().cpu_percent));
    cr_assert_eq(h.newest().memory_used, 1000.0f);
    // 10 s later, 5 s of CPU: 50% of one CPU; 10 MB read+written: 1 MB/s.
    h.record(at(110, 5'000'000'000, 2000, 10'000'000));
    cr_assert_eq(h.size(), 2u);
    cr_assert_float_eq(h.newest().cpu_percent, 50.0f, 1e-3);
    cr_assert_float_eq(h.newest().io_bytes_per_second, 1e6f, 1.0f);
    cr_assert_eq(h.newest().pids, 3.0f);
}

Test(history, the_first_step_has_a_rate_from_its_first_reading) {
    ContainerHistory h(10, 90);
    h.record(at(101, 0, 1));
    h.record(at(103, 1'000'000'000, 1));  // same step, 2 s later: 50%
    cr_assert_eq(h.size(), 1u);
    cr_assert_float_eq(h.newest().cpu_percent, 50.0f, 1e-3);
    cr_assert_float_eq(h.current().cpu_percent, 50.0f, 1e-3);
}

Test(history, readings_within_one_step_overwrite_its_point) {
    ContainerHistory h(10, 90);
    h.record(at(100, 0, 1000));
    h.record(at(110, 1'000'000'000, 2000));
    h.record(at(112, 3'000'000'000, 3000));  // same step as 110: 3 s of CPU over 12 s
    cr_assert_eq(h.size(), 2u);
    cr_assert_eq(h.newest().memory_used, 3000.0f);
    cr_assert_float_eq(h.newest().cpu_percent, 25.0f, 1e-3);
}

Test(history, the_figure_now_spans_at_least_half_a_step) {
    ContainerHistory h(10, 90);
    h.record(at(95, 0, 1));
    h.record(at(109, 7'000'000'000, 1));  // 50% over the 14 s since 95
    h.record(at(111, 7'000'000'000, 1));  // a new step, 2 s in: idle over those 2 s
    cr_assert_float_eq(h.newest().cpu_percent, 0.0f, 1e-3);
    cr_assert_float_eq(h.current().cpu_percent, 50.0f, 1e-3);
    h.record(at(115, 9'000'000'000, 1));  // 6 s in: its own rate, 2 s of CPU in 6 s
    cr_assert_float_eq(h.current().cpu_percent, 100.0f / 3, 1e-3);
}

Test(history, the_ring_keeps_the_newest_ninety_points_in_order) {
    ContainerHistory h(10, 90);
    for (int i = 0; i < 200; ++i) h.record(at(10.0 * i, 0, static_cast<uint64_t>(i)));
    auto p = h.points();
    cr_assert_eq(p.size(), 90u);
    cr_assert_eq(p.front().memory_used, 110.0f);
    cr_assert_eq(p.back().memory_used, 199.0f);
    for (size_t i = 1; i < p.size(); ++i) cr_assert_eq(p[i].memory_used, p[i - 1].memory_used + 1);
}

Test(history, missed_steps_are_gaps) {
    ContainerHistory h(10, 90);
    h.record(at(100, 0, 1));
    h.record(at(140, 4'000'000'000, 2));  // 3 steps without a reading
    auto p = h.points();
    cr_assert_eq(p.size(), 5u);
    for (size_t i = 1; i < 4; ++i) cr_assert(std::isnan(p[i].memory_used));
    // The rate spans the gap: 4 s of CPU in 40 s.
    cr_assert_float_eq(p[4].cpu_percent, 10.0f, 1e-3);
}

Test(history, a_counter_that_went_back_has_no_rate) {
    ContainerHistory h(10, 90);
    h.record(at(100, 5'000'000'000, 1));
    h.record(at(110, 1'000'000'000, 1));  // a new container under the same name
    cr_assert(std::isnan(h.newest().cpu_percent));
}

Test(history, vanished_containers_are_dropped) {
    History all(10);
    all.record("/run/mogu/a", at(1, 0, 1));
    all.record("/run/mogu/b", at(1, 0, 1));
    all.keep_only({"/run/mogu/b"});
    cr_assert_eq(all.containers(), 1u);
    cr_assert_null(all.find("/run/mogu/a"));
    cr_assert_not_null(all.find("/run/mogu/b"));
}

Test(history, memory_per_container_is_fixed) {
    // The ring is inline: the same size whatever it holds, about 1.8 kB of points.
    cr_assert_leq(sizeof(ContainerHistory), 90 * sizeof(HistoryPoint) + 256);
    ContainerHistory h(10, 90);
    for (int i = 0; i < 10000; ++i) h.record(at(10.0 * i, 0, 1));
    cr_assert_eq(h.points().size(), 90u);
}

Test(status_board, snapshots_carry_labels_figures_and_history_sorted_by_namespace_and_id) {
    StatusBoard board(10);
    Reading r = at(100, 0, 4096);
    r.memory_limit = 8192;
    board.update({{"/run/containerd/mogu/ns/web", {{"id", "/ns/web"}, {"name", "web"}, {"containerd_namespace", "ns"}, {"pod", "p"}, {"namespace", "k"}}, r},
                  {"/run/mogu/a", {{"id", "/mogu/a"}, {"name", "a"}, {"containerd_namespace", ""}}, r}},
                 1.7e9);
    auto s = board.snapshot();
    cr_assert_eq(s.containers.size(), 2u);
    cr_assert_str_eq(s.containers[0].name.c_str(), "a");
    expect_text(display_name(s.containers[1]), "ns/web");
    expect_text(pod_name(s.containers[1]), "k/p");
    cr_assert_eq(s.containers[1].latest.memory_limit, 8192u);
    cr_assert_eq(s.containers[1].history.size(), 1u);
    cr_assert_not(s.alerting);
    cr_assert(s.alerts.empty());
    // The next collection without "a": gone from the board and its history.
    board.update({{"/run/containerd/mogu/ns/web", {{"name", "web"}, {"containerd_namespace", "ns"}}, at(110, 0, 1)}}, 1.7e9 + 10);
    cr_assert_eq(board.snapshot().containers.size(), 1u);
}

namespace {
struct OneAlert : AlertSource {
    std::vector<FiringAlert> firing() const override { return {FiringAlert{"ContainerOOMKilled", "critical", "killed", {{"name", "a"}}, 1, 2}}; }
    size_t rules() const override { return 4; }
};
}  // namespace

Test(status_board, shows_what_an_alert_source_reports) {
    StatusBoard board(10);
    board.set_alerts(std::make_shared<OneAlert>());
    auto s = board.snapshot();
    cr_assert(s.alerting);
    cr_assert_eq(s.alert_rules, 4u);
    cr_assert_eq(s.alerts.size(), 1u);
    cr_assert_str_eq(s.alerts[0].name.c_str(), "ContainerOOMKilled");
}
