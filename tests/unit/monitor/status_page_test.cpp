// The status page: escaping of user input, sparklines, the JSON and terminal views.
#include "monitor/status_json.h"
#include "monitor/status_page.h"
#include "monitor/status_text.h"

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

static bool has(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

Test(html_escape, escapes_markup_and_both_quotes) {
    std::string e = html_escape("<script>alert('x')</script> & \"y\"");
    cr_assert_str_eq(e.c_str(), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;");
    expect_text(html_escape("plain-id_1.2"), "plain-id_1.2");
    expect_text(html_escape(""), "");
}

Test(sparkline, draws_a_line_over_an_area_scaled_to_the_largest_value) {
    std::string svg = sparkline_svg({0, 50, 100}, 3, 0, 100, 22, "cpu");
    cr_assert(has(svg, "<svg class=\"spark\" width=\"100\" height=\"22\""), "%s", svg.c_str());
    // x: 0, 50, 100; y: 1 px margins, 100 at the top (y=1), 0 at the bottom (y=21).
    cr_assert(has(svg, "<polyline points=\"0,21 50,11 100,1\""), "%s", svg.c_str());
    cr_assert(has(svg, "<polygon points=\"0,22 0,21 50,11 100,1 100,22\""), "%s", svg.c_str());
    cr_assert(has(svg, "<title>cpu: 0 .. 100</title>"), "%s", svg.c_str());
    cr_assert(has(svg, "</svg>"));
}

Test(sparkline, few_values_sit_at_the_right_and_a_floor_keeps_idle_flat) {
    // 2 values of 5 slots: x = 75 and 100; scale to 10 (the floor), not 1.
    std::string svg = sparkline_svg({1, 1}, 5, 10, 100, 22, "t");
    cr_assert(has(svg, "<polyline points=\"75,19 100,19\""), "%s", svg.c_str());
}

Test(sparkline, gaps_split_the_line_and_a_lone_value_is_a_dot) {
    std::string svg = sparkline_svg({1, 2, NAN, 4}, 4, 0, 90, 22, "t");
    cr_assert(has(svg, "<polyline points=\"0,16 30,11\""), "%s", svg.c_str());
    cr_assert(has(svg, "<circle cx=\"90\" cy=\"1\""), "%s", svg.c_str());
    // No values at all: an empty box, still a valid SVG.
    std::string empty = sparkline_svg({}, 90, 0, 120, 22, "none");
    cr_assert(!has(empty, "polyline") && has(empty, "</svg>"));
    cr_assert(has(empty, "<title>none</title>"));
}

Test(sparkline, escapes_its_title) {
    std::string svg = sparkline_svg({1}, 1, 0, 10, 10, "<b>");
    cr_assert(has(svg, "<title>&lt;b&gt;"), "%s", svg.c_str());
}

static StatusSnapshot one_container(const std::string& name, const std::string& pod) {
    StatusSnapshot s;
    s.version = "0.1.0";
    s.time = 1764174571;
    s.interval = 10;
    s.step = 10;
    s.history_points = 90;
    ContainerStatus c;
    c.key = "/run/mogu/" + name;
    c.name = name;
    c.cgroup = "/mogu/" + name;
    c.pod = pod;
    c.k8s_namespace = "default";
    c.latest.memory_used = 16 << 20;
    c.latest.memory_limit = 64 << 20;
    c.latest.pids = 3;
    c.latest.pids_limit = 32;
    HistoryPoint p;
    p.cpu_percent = 12.5f;
    p.memory_used = 16 << 20;
    p.io_bytes_per_second = 0;
    p.pids = 3;
    c.history = {p, p};
    c.now = p;
    s.containers.push_back(c);
    return s;
}

Test(status_page, escapes_every_label_value) {
    auto s = one_container("web", "<script>alert(1)</script>");
    s.containers[0].image = "img\"><img src=x onerror=alert(1)>";
    s.containers[0].key = "/run/<x>/web";
    std::string page = render_status_page(s);
    cr_assert(!has(page, "<script>"), "a raw <script> on the page");
    cr_assert(!has(page, "<img"), "a raw <img> on the page");
    cr_assert(!has(page, "<x>"));
    cr_assert(has(page, "pod default/&lt;script&gt;alert(1)&lt;/script&gt;"));
    cr_assert(has(page, "img&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
}

Test(status_page, shows_usage_against_limits_sparklines_and_no_alerts_honestly) {
    std::string page = render_status_page(one_container("web", ""));
    cr_assert(has(page, "<!DOCTYPE html>"));
    cr_assert(has(page, "16 MiB / 64 MiB (25%)"), "memory against its limit");
    cr_assert(has(page, "data-memory-bytes=\"16777216\""));
    cr_assert(has(page, "<span class=\"bar\"><i style=\"width:25.0%\"></i></span>"));
    cr_assert(has(page, "3 / 32"));
    cr_assert(has(page, "12%"), "CPU now");
    cr_assert(has(page, "<svg class=\"spark\""));
    cr_assert(has(page, "No alerts firing."));
    cr_assert(has(page, "Alerting is off"));
    // Self-contained: nothing fetched from elsewhere.
    cr_assert(!has(page, "<script"));
    cr_assert(!has(page, "src="));
    cr_assert(!has(page, "@import"));
    cr_assert(!has(page, "<link"));
}

Test(status_page, lists_firing_alerts_escaped) {
    auto s = one_container("web", "");
    s.alerting = true;
    s.alert_rules = 3;
    s.alerts.push_back(FiringAlert{"ContainerOOMKilled", "critical", "sh killed at <64 MiB>", {{"name", "<web>"}, {"pod", ""}, {"host", "n1"}}, 1, 1764174500});
    std::string page = render_status_page(s);
    cr_assert(has(page, "<span class=\"sev critical\">critical</span>"));
    cr_assert(has(page, "sh killed at &lt;64 MiB&gt;"));
    cr_assert(has(page, "name=&lt;web&gt;, host=n1"), "%s", page.c_str());  // the empty pod label left out
    cr_assert(!has(page, "No alerts firing"));
}

Test(status_page, says_when_there_are_no_containers) {
    StatusSnapshot s;
    s.interval = 10;
    s.step = 10;
    s.history_points = 90;
    cr_assert(has(render_status_page(s), "No running containers"));
}

Test(human_bytes, uses_binary_units) {
    expect_text(human_bytes(0), "0 B");
    expect_text(human_bytes(1536), "1.5 KiB");
    expect_text(human_bytes(64.0 * (1 << 20)), "64 MiB");
    expect_text(human_bytes(2.0 * (1 << 30)), "2.0 GiB");
}

Test(status_json, survives_a_round_trip_with_nulls_for_missing_values) {
    auto s = one_container("web", "p");
    s.containers[0].history[0].cpu_percent = NAN;
    s.containers[0].latest.load1 = 0.5;
    std::string text = status_json(s);
    cr_assert(has(text, "\"memory_used_bytes\":16777216"), "%s", text.c_str());
    cr_assert(has(text, "\"cpu_percent\":[null,12.5]"), "%s", text.c_str());
    auto back = parse_status_json(text, "test");
    cr_assert_eq(back.containers.size(), 1u);
    const auto& c = back.containers[0];
    cr_assert_str_eq(c.name.c_str(), "web");
    cr_assert_str_eq(c.pod.c_str(), "p");
    cr_assert_eq(c.latest.memory_limit, 64u << 20);
    cr_assert_eq(c.latest.pids_limit, 32u);
    cr_assert(c.latest.load1 && *c.latest.load1 == 0.5);
    cr_assert_eq(c.history.size(), 2u);
    cr_assert(std::isnan(c.history[0].cpu_percent));
    cr_assert_eq(c.history[1].cpu_percent, 12.5f);
    cr_assert_eq(back.history_points, 90u);
}

Test(status_text, prints_a_row_per_container_with_sparklines_and_no_control_characters) {
    auto s = one_container("web", "evil\x1b[2Jpod");
    std::string text = render_status_text(s, "http://127.0.0.1:9338");
    cr_assert(has(text, "CONTAINER"), "%s", text.c_str());
    cr_assert(has(text, "web "), "%s", text.c_str());
    cr_assert(has(text, "16 MiB / 64 MiB 25%"), "%s", text.c_str());
    cr_assert(has(text, "3/32"), "%s", text.c_str());
    cr_assert(has(text, "default/evil?[2Jpod"), "%s", text.c_str());
    cr_assert(!has(text, "\x1b"));
    cr_assert(has(text, "alerts: none firing"), "%s", text.c_str());
    cr_assert(has(text, "█"), "%s", text.c_str());
}

Test(status_text, lists_firing_alerts_without_empty_labels) {
    auto s = one_container("web", "");
    s.alerting = true;
    s.alerts.push_back(FiringAlert{"PidsAtLimit", "warning", "fork bomb", {{"name", "web"}, {"pod", ""}, {"host", "n1"}}, 32, 1764174500});
    std::string text = render_status_text(s, "http://127.0.0.1:9338");
    cr_assert(has(text, "alerts: 1 firing"), "%s", text.c_str());
    cr_assert(has(text, "PidsAtLimit name=web,host=n1 value 32"), "%s", text.c_str());
}

Test(text_sparkline, maps_values_to_eight_levels_right_aligned) {
    expect_text(text_sparkline({0, 7}, 4, 4, 0), "  ▁█");
    expect_text(text_sparkline({NAN, 1}, 2, 2, 1), " █");
    // Ninety points into three columns: each the largest of its thirty.
    std::vector<float> v(90, 0.0f);
    v[10] = 8;
    expect_text(text_sparkline(v, 90, 3, 0), "█▁▁");
}
