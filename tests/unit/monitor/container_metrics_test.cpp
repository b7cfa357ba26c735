// One container's cgroup figures as series: cAdvisor's names and units, v1 and v2 told apart.
#include "monitor/container_metrics.h"
#include "monitor/discovery.h"

#include <criterion/criterion.h>

#include <string>

using namespace mogu;
using namespace mogu::monitor;

namespace {

const Labels kLabels = {{"id", "/default/web"}, {"name", "web"}};

std::string render(const ContainerFigures& f) {
    MetricSet set;
    add_container_metrics(set, kLabels, f, [](uint64_t ma, uint64_t mi) { return ma == 8 && mi == 0 ? std::string("/dev/sda") : std::to_string(ma) + ":" + std::to_string(mi); });
    return set.render();
}

bool has_line(const std::string& text, const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; }

ContainerFigures v2_figures() {
    ContainerFigures f;
    auto& s = f.stats.cgroup;
    s.cpu.total_ns = 1500000000;
    s.cpu.user_ns = 1000000000;
    s.cpu.kernel_ns = 500000000;
    s.memory.usage = 10 << 20;
    s.memory.limit = UINT64_MAX;  // "max"
    s.memory.cache = 3 << 20;
    s.memory.raw = {{"anon", 6 << 20}, {"inactive_file", 2 << 20}, {"file_mapped", 4096}};
    s.memory.swap_usage = 8192;
    s.memory.oom_events = 2;
    s.memory.oom_kill = 1;
    s.pids.current = 3;
    s.pids.limit = 64;
    return f;
}

}  // namespace

Test(container_metrics, uses_cadvisors_names_and_base_units) {
    auto text = render(v2_figures());
    cr_assert(has_line(text, "container_cpu_usage_seconds_total{id=\"/default/web\",name=\"web\"} 1.5"), "%s", text.c_str());
    cr_assert(has_line(text, "container_cpu_user_seconds_total{id=\"/default/web\",name=\"web\"} 1"));
    cr_assert(has_line(text, "container_cpu_system_seconds_total{id=\"/default/web\",name=\"web\"} 0.5"));
    cr_assert(has_line(text, "container_memory_usage_bytes{id=\"/default/web\",name=\"web\"} 10485760"));
    cr_assert(has_line(text, "container_memory_working_set_bytes{id=\"/default/web\",name=\"web\"} 8388608"));
    cr_assert(has_line(text, "container_memory_cache{id=\"/default/web\",name=\"web\"} 3145728"));
    cr_assert(has_line(text, "container_memory_rss{id=\"/default/web\",name=\"web\"} 6291456"));
    cr_assert(has_line(text, "container_memory_mapped_file{id=\"/default/web\",name=\"web\"} 4096"));
    cr_assert(has_line(text, "container_memory_swap{id=\"/default/web\",name=\"web\"} 8192"));
    cr_assert(has_line(text, "container_oom_events_total{id=\"/default/web\",name=\"web\"} 2"));
    cr_assert(has_line(text, "mogu_container_oom_kills_total{id=\"/default/web\",name=\"web\"} 1"));
    cr_assert(has_line(text, "container_threads{id=\"/default/web\",name=\"web\"} 3"));
    cr_assert(has_line(text, "container_threads_max{id=\"/default/web\",name=\"web\"} 64"));
    cr_assert(text.find("# TYPE container_cpu_usage_seconds_total counter\n") != std::string::npos);
    cr_assert(text.find("# TYPE container_memory_usage_bytes gauge\n") != std::string::npos);
}

Test(container_metrics, an_unlimited_memory_limit_reads_zero) {
    auto text = render(v2_figures());
    cr_assert(has_line(text, "container_spec_memory_limit_bytes{id=\"/default/web\",name=\"web\"} 0"), "%s", text.c_str());
    auto f = v2_figures();
    f.stats.cgroup.memory.limit = 9223372036854771712ULL;  // v1's page-rounded 2^63
    cr_assert(has_line(render(f), "container_spec_memory_limit_bytes{id=\"/default/web\",name=\"web\"} 0"));
    f.stats.cgroup.memory.limit = 64 << 20;
    cr_assert(has_line(render(f), "container_spec_memory_limit_bytes{id=\"/default/web\",name=\"web\"} 67108864"));
}

Test(container_metrics, v1_swap_is_memsw_less_memory) {
    ContainerFigures f;
    auto& m = f.stats.cgroup.memory;
    m.usage = 100;
    m.swap_usage = 150;  // memory.memsw.usage_in_bytes
    m.swap_counts_memory = true;
    m.raw = {{"total_rss", 70}, {"total_inactive_file", 10}};
    auto text = render(f);
    cr_assert(has_line(text, "container_memory_swap{id=\"/default/web\",name=\"web\"} 50"), "%s", text.c_str());
    cr_assert(has_line(text, "container_memory_rss{id=\"/default/web\",name=\"web\"} 70"));
    cr_assert(has_line(text, "container_memory_working_set_bytes{id=\"/default/web\",name=\"web\"} 90"));
}

Test(container_metrics, throttling_series_only_under_a_quota) {
    auto f = v2_figures();
    cr_assert(render(f).find("container_cpu_cfs_periods_total") == std::string::npos);
    f.stats.cgroup.cpu.periods = 10;
    f.stats.cgroup.cpu.throttled_periods = 4;
    f.stats.cgroup.cpu.throttled_ns = 250000000;
    auto text = render(f);
    cr_assert(has_line(text, "container_cpu_cfs_periods_total{id=\"/default/web\",name=\"web\"} 10"));
    cr_assert(has_line(text, "container_cpu_cfs_throttled_periods_total{id=\"/default/web\",name=\"web\"} 4"));
    cr_assert(has_line(text, "container_cpu_cfs_throttled_seconds_total{id=\"/default/web\",name=\"web\"} 0.25"));
}

Test(container_metrics, block_io_per_device_with_its_name) {
    auto f = v2_figures();
    f.stats.cgroup.blkio.io_service_bytes = {{8, 0, "Read", 4096}, {8, 0, "Write", 8192}, {8, 0, "Discard", 1}, {253, 3, "Write", 512}};
    f.stats.cgroup.blkio.io_serviced = {{8, 0, "Read", 1}, {8, 0, "Write", 2}};
    auto text = render(f);
    cr_assert(has_line(text, "container_fs_reads_bytes_total{id=\"/default/web\",name=\"web\",device=\"/dev/sda\"} 4096"), "%s", text.c_str());
    cr_assert(has_line(text, "container_fs_writes_bytes_total{id=\"/default/web\",name=\"web\",device=\"/dev/sda\"} 8192"));
    cr_assert(has_line(text, "container_fs_reads_total{id=\"/default/web\",name=\"web\",device=\"/dev/sda\"} 1"));
    cr_assert(has_line(text, "container_fs_writes_total{id=\"/default/web\",name=\"web\",device=\"/dev/sda\"} 2"));
    cr_assert(has_line(text, "container_fs_writes_bytes_total{id=\"/default/web\",name=\"web\",device=\"253:3\"} 512"));
}

Test(container_metrics, pressure_as_cadvisors_waiting_and_stalled_seconds) {
    auto f = v2_figures();
    cgroups::Pressure p;
    p.some.total_us = 2500000;
    p.full.total_us = 500000;
    f.stats.cgroup.pressure["memory"] = p;
    auto text = render(f);
    cr_assert(has_line(text, "container_pressure_memory_waiting_seconds_total{id=\"/default/web\",name=\"web\"} 2.5"), "%s", text.c_str());
    cr_assert(has_line(text, "container_pressure_memory_stalled_seconds_total{id=\"/default/web\",name=\"web\"} 0.5"));
    cr_assert(text.find("container_pressure_cpu_") == std::string::npos);
}

Test(container_metrics, load_average_only_where_the_container_has_one) {
    auto f = v2_figures();
    cr_assert(render(f).find("mogu_container_load1") == std::string::npos);
    f.stats.load = runtime::lxcfs::LoadAverage{0.5, 0.25, 0.125, 1, 3};
    auto text = render(f);
    cr_assert(has_line(text, "mogu_container_load1{id=\"/default/web\",name=\"web\"} 0.5"), "%s", text.c_str());
    cr_assert(has_line(text, "mogu_container_load15{id=\"/default/web\",name=\"web\"} 0.125"));
}

Test(container_metrics, start_time_from_the_state_rfc3339) {
    auto t = parse_rfc3339("2026-11-26T16:29:31.5Z");
    cr_assert(t.has_value());
    cr_assert_float_eq(*t, 1795710571.5, 1e-6);
    cr_assert_float_eq(*parse_rfc3339("2026-11-26T17:29:31+01:00"), 1795710571.0, 1e-6);
    cr_assert(!parse_rfc3339("yesterday").has_value());
    auto f = v2_figures();
    f.start_time = 1795710571.5;
    cr_assert(has_line(render(f), "container_start_time_seconds{id=\"/default/web\",name=\"web\"} 1795710571.5"));
}

Test(discovery, containerd_namespace_from_the_bundle_path) {
    cr_assert_eq(containerd_namespace_of("/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc"), "k8s.io");
    cr_assert_eq(containerd_namespace_of("/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/abc"), "moby");
    cr_assert_eq(containerd_namespace_of("/home/me/bundle"), "");
}

Test(discovery, kubernetes_labels_from_cri_annotations) {
    runtime::ContainerState st;
    st.id = "c1";
    st.cgroup_path = "/kubepods/pod1/c1";
    st.bundle = "/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1";
    st.annotations = {{"io.kubernetes.cri.sandbox-namespace", "shop"},
                      {"io.kubernetes.cri.sandbox-name", "cart-7d9"},
                      {"io.kubernetes.cri.container-name", "cart"},
                      {"io.kubernetes.cri.image-name", "registry.local/cart:1.2"}};
    Labels want = {{"id", "/kubepods/pod1/c1"}, {"name", "c1"},         {"containerd_namespace", "k8s.io"}, {"namespace", "shop"},
                   {"pod", "cart-7d9"},         {"container", "cart"}, {"image", "registry.local/cart:1.2"}};
    cr_assert(container_labels(st) == want);
}
