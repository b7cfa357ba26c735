// Alerting rules: parsed from monitor.toml with errors that name the file, line and rule;
// evaluated over collections, firing once after `for`, resolving once; the OOM alert.
#include "common/error.h"
#include "monitor/alert_delivery.h"
#include "monitor/alerting.h"
#include "monitor/alerts.h"
#include "monitor/config.h"
#include "monitor/oom_alert.h"

#include <criterion/criterion.h>

#include <string>

using namespace mogu;
using namespace mogu::monitor;
using namespace std::chrono_literals;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "/etc/mogu/monitor.toml");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const char* kPidsRule =
    "[[rules]]\n"
    "name = \"PidsNearLimit\"\n"
    "metric = \"container_threads\"\n"
    "labels = { name = \"web\" }\n"
    "op = \">=\"\n"
    "threshold = 30\n"
    "for = \"2s\"\n"
    "severity = \"warning\"\n"
    "summary = \"near its PID limit\"\n";

MetricSet threads(uint64_t web, uint64_t db) {
    MetricSet set;
    set.add("container_threads", MetricType::gauge, "h", {{"id", "/mogu/web"}, {"name", "web"}}, web);
    set.add("container_threads", MetricType::gauge, "h", {{"id", "/mogu/db"}, {"name", "db"}}, db);
    return set;
}

using Steady = std::chrono::steady_clock::time_point;
const Steady t0{};
const std::chrono::system_clock::time_point w0{std::chrono::seconds(1700000000)};

}  // namespace

Test(alert_rules, reads_a_rule) {
    auto c = parse_config(kPidsRule, "m.toml");
    cr_assert_eq(c.rules.size(), 1u);
    auto& r = c.rules[0];
    cr_assert_eq(r.name, "PidsNearLimit");
    cr_assert_eq(r.metric, "container_threads");
    cr_assert_eq(r.matchers.size(), 1u);
    cr_assert_eq(r.matchers[0].first, "name");
    cr_assert_eq(r.matchers[0].second, "web");
    cr_assert_eq(r.op, CompareOp::ge);
    cr_assert_eq(r.threshold, 30.0);
    cr_assert_eq(r.hold.count(), 2000);
    cr_assert_eq(r.severity, "warning");
    cr_assert_eq(r.summary, "near its PID limit");
    cr_assert_eq(r.line, 1);
}

Test(alert_rules, refuses_a_metric_the_monitor_does_not_expose) {
    auto e = error_of(std::string("listen = \"127.0.0.1:0\"\n") + "[[rules]]\nname = \"X\"\nmetric = \"container_memory_usage\"\nop = \">\"\nthreshold = 1\nseverity = \"info\"\n");
    cr_assert(contains(e, "/etc/mogu/monitor.toml:4: rules[0] (X): metric: \"container_memory_usage\" is not a series"), "%s", e.c_str());
}

Test(alert_rules, refuses_bad_values_naming_line_and_rule) {
    std::string base = "[[rules]]\nname = \"X\"\nmetric = \"container_threads\"\n";
    auto e = error_of(base + "op = \"==\"\nthreshold = 1\nseverity = \"info\"\n");
    cr_assert(contains(e, "monitor.toml:4: rules[0] (X): op: \"==\" is not one of > >= < <="), "%s", e.c_str());
    e = error_of(base + "op = \">\"\nthreshold = \"1\"\nseverity = \"info\"\n");
    cr_assert(contains(e, ":5: rules[0] (X): threshold: expected a number"), "%s", e.c_str());
    e = error_of(base + "op = \">\"\nthreshold = 1\nseverity = \"page\"\n");
    cr_assert(contains(e, ":6: rules[0] (X): severity: \"page\" is not one of critical"), "%s", e.c_str());
    e = error_of(base + "op = \">\"\nthreshold = 1\nseverity = \"info\"\nfor = \"soon\"\n");
    cr_assert(contains(e, ":7: rules[0] (X): for: \"soon\" is not a duration"), "%s", e.c_str());
    e = error_of(base + "op = \">\"\nthreshold = nan\nseverity = \"info\"\n");
    cr_assert(contains(e, ":5: rules[0] (X): threshold: nan is not a finite number"), "%s", e.c_str());
    e = error_of(base + "op = \">\"\nthreshold = -inf\nseverity = \"info\"\n");
    cr_assert(contains(e, ":5: rules[0] (X): threshold: -inf is not a finite number"), "%s", e.c_str());
    e = error_of(base + "op = \">\"\nseverity = \"info\"\n");
    cr_assert(contains(e, ":1: rules[0] (X): threshold is missing"), "%s", e.c_str());
    e = error_of(base + "op = \">\"\nthreshold = 1\nseverity = \"info\"\nthreshhold = 2\n");
    cr_assert(contains(e, ":7: rules[0] (X): thresh"), "%s", e.c_str());
    cr_assert(contains(e, "unknown key"), "%s", e.c_str());
    e = error_of("[[rules]]\nmetric = \"container_threads\"\n");
    cr_assert(contains(e, ":1: rules[0]: name is missing"), "%s", e.c_str());
    e = error_of(std::string(kPidsRule) + kPidsRule);
    cr_assert(contains(e, ":10: rules[1] (PidsNearLimit): a rule of that name comes earlier"), "%s", e.c_str());
    e = error_of("[alerts]\nwebhook = \"localhost:9093\"\n");
    cr_assert(contains(e, ":2: alerts.webhook: \"localhost:9093\" is not an http"), "%s", e.c_str());
    e = error_of("[alerts]\nwebhook_repeat = \"100ms\"\n");
    cr_assert(contains(e, ":2: alerts.webhook_repeat: shorter than 1s"), "%s", e.c_str());
    cr_assert_eq(parse_config("[alerts]\nwebhook_repeat = \"0s\"\n", "m.toml").alerts.webhook_repeat.count(), 0);
    cr_assert_eq(parse_config("", "m.toml").alerts.webhook_repeat.count(), 60000);
    e = error_of("[alerts]\nwebhok = \"http://x\"\n");
    cr_assert(contains(e, ":2: alerts.webhok: unknown key"), "%s", e.c_str());
}

Test(alert_rules, knows_the_series_of_every_collector) {
    cr_assert(known_metric("container_memory_working_set_bytes"));
    cr_assert(known_metric("container_threads_max"));
    cr_assert(known_metric("mogu_host_meminfo_mem_available_bytes"));
    cr_assert(known_metric("node_filesystem_avail_bytes"));
    cr_assert(known_metric("container_pressure_memory_stalled_seconds_total"));
    cr_assert(!known_metric("container_memory"));
    cr_assert(!known_metric("mogu_host_meminfo_"));
}

Test(alert_engine, fires_once_after_for_and_resolves_once) {
    auto c = parse_config(kPidsRule, "m.toml");
    AlertEngine engine(c.rules, "node1");
    cr_assert(engine.evaluate(threads(31, 40), t0, w0).empty(), "pending, not firing, before 2s");
    cr_assert(engine.evaluate(threads(32, 40), t0 + 1s, w0 + 1s).empty());
    cr_assert(engine.firing().empty());
    auto fired = engine.evaluate(threads(33, 40), t0 + 2s, w0 + 2s);
    cr_assert_eq(fired.size(), 1u, "only web matches the label; db is not watched");
    cr_assert(fired[0].firing);
    cr_assert_eq(fired[0].name, "PidsNearLimit");
    cr_assert_eq(fired[0].label("name"), "web");
    cr_assert_eq(fired[0].label("host"), "node1");
    cr_assert_eq(fired[0].value, 33.0);
    cr_assert(fired[0].starts_at == w0 + 2s);
    cr_assert(engine.evaluate(threads(34, 40), t0 + 3s, w0 + 3s).empty(), "fires once");
    cr_assert_eq(engine.firing().size(), 1u);
    cr_assert_eq(engine.firing()[0].value, 34.0);
    auto resolved = engine.evaluate(threads(3, 40), t0 + 4s, w0 + 4s);
    cr_assert_eq(resolved.size(), 1u);
    cr_assert(!resolved[0].firing);
    cr_assert(resolved[0].ends_at == w0 + 4s);
    cr_assert(engine.evaluate(threads(3, 40), t0 + 5s, w0 + 5s).empty(), "resolves once");
    cr_assert(engine.firing().empty());
}

Test(alert_engine, a_breach_shorter_than_for_never_fires) {
    auto c = parse_config(kPidsRule, "m.toml");
    AlertEngine engine(c.rules, "");
    engine.evaluate(threads(31, 0), t0, w0);
    engine.evaluate(threads(1, 0), t0 + 1s, w0 + 1s);
    cr_assert(engine.evaluate(threads(31, 0), t0 + 2s, w0 + 2s).empty(), "the pending time starts again");
    cr_assert(engine.evaluate(threads(31, 0), t0 + 3s, w0 + 3s).empty());
    cr_assert_eq(engine.evaluate(threads(31, 0), t0 + 4s, w0 + 4s).size(), 1u);
}

Test(alert_engine, a_vanished_series_resolves_its_alert) {
    auto c = parse_config(std::string(kPidsRule).replace(std::string(kPidsRule).find("for = \"2s\""), 10, "for = \"0s\""), "m.toml");
    AlertEngine engine(c.rules, "");
    cr_assert_eq(engine.evaluate(threads(40, 0), t0, w0).size(), 1u);
    auto r = engine.evaluate(MetricSet(), t0 + 1s, w0 + 1s);
    cr_assert_eq(r.size(), 1u);
    cr_assert(!r[0].firing);
}

Test(alert_engine, less_than_and_integers_past_2_to_the_53) {
    AlertRule r;
    r.name = "LowAvail";
    r.metric = "node_filesystem_avail_bytes";
    r.op = CompareOp::lt;
    r.threshold = 1e9;
    r.severity = "critical";
    AlertEngine engine({r}, "");
    MetricSet set;
    set.add("node_filesystem_avail_bytes", MetricType::gauge, "h", {{"mountpoint", "/"}}, uint64_t{5000});
    set.add("node_filesystem_avail_bytes", MetricType::gauge, "h", {{"mountpoint", "/big"}}, uint64_t{1} << 60);
    auto fired = engine.evaluate(set, t0, w0);
    cr_assert_eq(fired.size(), 1u);
    cr_assert_eq(fired[0].label("mountpoint"), "/");
}

Test(alert_engine, exposes_firing_alerts_as_series) {
    auto c = parse_config(std::string(kPidsRule).replace(std::string(kPidsRule).find("for = \"2s\""), 10, "for = \"0s\""), "m.toml");
    AlertEngine engine(c.rules, "node1");
    auto set = threads(40, 0);
    engine.evaluate(set, t0, w0);
    engine.add_metrics(set);
    auto text = set.render();
    cr_assert(contains(text, "mogu_alerts_firing{alertname=\"PidsNearLimit\",severity=\"warning\",id=\"/mogu/web\",name=\"web\",host=\"node1\"} 1\n"),
              "%s", text.c_str());
    cr_assert(contains(text, "mogu_alerts_fired_total{alertname=\"PidsNearLimit\",severity=\"warning\"} 1\n"), "%s", text.c_str());
}

Test(alert_engine, a_raised_alert_resolves_after_its_time) {
    AlertEngine engine({}, "node1");
    Alert a;
    a.name = "ContainerOOMKilled";
    a.severity = "critical";
    a.labels = {{"id", "/mogu/web"}};
    cr_assert_eq(engine.raise(a, 60s, t0, w0).size(), 1u);
    cr_assert(engine.raise(a, 60s, t0 + 10s, w0 + 10s).empty(), "the same alert again only restarts its time");
    cr_assert(engine.evaluate(MetricSet(), t0 + 69s, w0 + 69s).empty());
    auto r = engine.evaluate(MetricSet(), t0 + 70s, w0 + 70s);
    cr_assert_eq(r.size(), 1u);
    cr_assert(!r[0].firing);
}

Test(oom_alert, names_the_container_the_process_and_the_limit) {
    ContainerIndex index;
    MetricSet set;
    set.add("container_spec_memory_limit_bytes", MetricType::gauge, "h",
            {{"id", "/mogu-test/hog"}, {"name", "hog"}, {"containerd_namespace", "default"}}, uint64_t{67108864});
    index.update(set);
    KernelEvent e;
    e.kind = KernelEventKind::oom_kill;
    e.pid = 4242;
    e.comm = "memhog";
    e.cgroup = "/mogu-test/hog";
    auto a = oom_alert(e, index, "/nonexistent");
    cr_assert(a.has_value());
    cr_assert_eq(a->name, "ContainerOOMKilled");
    cr_assert_eq(a->label("containerd_namespace"), "default");
    cr_assert_eq(a->label("name"), "hog");
    cr_assert_eq(a->label("process"), "memhog");
    cr_assert_eq(a->value, 67108864.0);
    cr_assert(contains(a->summary, "container default/hog"), "%s", a->summary.c_str());
    cr_assert(contains(a->summary, "memhog (pid 4242)"), "%s", a->summary.c_str());
    cr_assert(contains(a->summary, "memory limit 67108864 bytes"), "%s", a->summary.c_str());
    e.cgroup = "/";
    cr_assert(!oom_alert(e, index, "/nonexistent").has_value(), "a host-wide OOM kill is no container's");
    e.cgroup = "/mogu-test/hog";
    e.facility = 1;
    cr_assert(!oom_alert(e, index, "/nonexistent").has_value(), "a line a process wrote into /dev/kmsg is not the kernel's");
}

Test(oom_alert, a_guests_oom_kill_names_the_container_the_process_and_the_limit) {
    VmOomKill kill;
    kill.key = "/run/mogu/hog@1";
    kill.labels = {{"id", "/mogu-vm-test/hog"}, {"name", "hog"}, {"containerd_namespace", "k8s.io"}};
    kill.memory_limit = 16777216;
    kill.process = "tail";
    kill.pid = 61;
    Alert a = vm_oom_alert(kill);
    cr_assert_eq(a.name, "ContainerOOMKilled");
    cr_assert_eq(a.label("process"), "tail");
    cr_assert_eq(a.value, 16777216.0);
    cr_assert(contains(a.summary, "container k8s.io/hog (micro-VM, host cgroup /mogu-vm-test/hog): process tail (pid 61 in the VM)"), "%s",
              a.summary.c_str());
    cr_assert(contains(a.summary, "memory limit 16777216 bytes"), "%s", a.summary.c_str());
    kill.process.clear();
    kill.memory_limit = 0;
    a = vm_oom_alert(kill);
    cr_assert(contains(a.summary, "a process killed by the OOM killer in the guest; memory limit none"), "%s", a.summary.c_str());
}

Test(alerting, a_guests_oom_kill_is_raised_once_and_only_if_recorded_after_the_monitor_started) {
    Alerting alerting(parse_config("", "/etc/mogu/monitor.toml"));
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    VmOomKill old_kill;
    old_kill.key = "/run/mogu/old@1";
    old_kill.recorded_at = now - 3600;
    old_kill.labels = {{"id", "/vm/old"}, {"name", "old"}};
    VmOomKill kill;
    kill.key = "/run/mogu/hog@" + std::to_string(now);
    kill.recorded_at = now;
    kill.labels = {{"id", "/vm/hog"}, {"name", "hog"}};
    MetricSet set;
    alerting.after_collection(set, {old_kill, kill});
    auto firing = alerting.firing();
    cr_assert_eq(firing.size(), 1u, "an OOM kill recorded before the monitor started was some earlier monitor's");
    cr_assert_eq(firing[0].label("name"), "hog");
    cr_assert(contains(set.render(), "mogu_alerts_fired_total{alertname=\"ContainerOOMKilled\",severity=\"critical\"} 1"), "%s", set.render().c_str());
    // The record stays until the container is deleted: seen again, it is not raised again.
    MetricSet again;
    alerting.after_collection(again, {old_kill, kill});
    cr_assert(contains(again.render(), "mogu_alerts_fired_total{alertname=\"ContainerOOMKilled\",severity=\"critical\"} 1"), "%s", again.render().c_str());
}

Test(alert_delivery, alertmanager_body_has_the_v2_fields) {
    Alert a;
    a.name = "PidsNearLimit";
    a.severity = "warning";
    a.summary = "near";
    a.labels = {{"name", "web"}, {"containerd_namespace", ""}};
    a.value = 31;
    a.starts_at = w0;
    auto body = alertmanager_body({a}, "http://127.0.0.1:9338/metrics");
    cr_assert_eq(body,
                 "[{\"labels\":{\"alertname\":\"PidsNearLimit\",\"severity\":\"warning\",\"name\":\"web\"},"
                 "\"annotations\":{\"summary\":\"near\",\"value\":\"31\"},\"startsAt\":\"2023-11-14T22:13:20Z\","
                 "\"generatorURL\":\"http://127.0.0.1:9338/metrics\"}]",
                 "%s", body.c_str());
    a.firing = false;
    a.ends_at = w0 + 5s;
    auto line = alert_json_line(a);
    cr_assert(contains(line, "\"status\":\"resolved\""), "%s", line.c_str());
    cr_assert(contains(line, "\"endsAt\":\"2023-11-14T22:13:25Z\""), "%s", line.c_str());
}
