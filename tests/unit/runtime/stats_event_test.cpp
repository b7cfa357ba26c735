// runc's events --stats record: written by mogu (and mogu-agent in a guest) and read back by the
// shim for a VM container. What goes out comes back.
#include "common/error.h"
#include "runtime/stats_event.h"

#include <criterion/criterion.h>

using namespace mogu;
using namespace mogu::runtime;

Test(stats_event, round_trips_what_the_shim_turns_into_metrics) {
    ContainerStats s;
    auto& c = s.cgroup;
    c.cpu.total_ns = 3134374000;
    c.cpu.user_ns = 3000000000;
    c.cpu.kernel_ns = 134374000;
    c.cpu.percpu_ns = {1, 2};
    c.cpu.throttled_periods = 7;
    c.memory.usage = 22384640;
    c.memory.limit = 67108864;
    c.memory.max_usage = 22462464;
    c.memory.raw = {{"inactive_file", 4096}, {"anon", 20000000}};
    c.pids.current = 3;
    c.pids.limit = 100;
    c.blkio.io_service_bytes = {{8, 0, "Read", 512}};
    c.pressure["memory"].some.avg10 = 1.5;
    c.hugetlb["2MB"] = {1, 2, 3};
    s.load = lxcfs::LoadAverage{0.5, 0.25, 0.125, 1, 9};
    ContainerStats t = parse_stats_event_json(stats_event_json("c1", s), "record");
    cr_assert_eq(t.cgroup.cpu.total_ns, 3134374000u);
    cr_assert_eq(t.cgroup.cpu.user_ns, 3000000000u);
    cr_assert_eq(t.cgroup.cpu.kernel_ns, 134374000u);
    cr_assert_eq(t.cgroup.cpu.percpu_ns.size(), 2u);
    cr_assert_eq(t.cgroup.cpu.throttled_periods, 7u);
    cr_assert_eq(t.cgroup.memory.usage, 22384640u);
    cr_assert_eq(t.cgroup.memory.limit, 67108864u);
    cr_assert_eq(t.cgroup.memory.max_usage, 22462464u);
    cr_assert_eq(t.cgroup.memory.raw.at("inactive_file"), 4096u);
    cr_assert_eq(t.cgroup.pids.current, 3u);
    cr_assert_eq(t.cgroup.pids.limit, 100u);
    cr_assert_eq(t.cgroup.blkio.io_service_bytes.size(), 1u);
    cr_assert_eq(t.cgroup.blkio.io_service_bytes[0].value, 512u);
    cr_assert_float_eq(t.cgroup.pressure.at("memory").some.avg10, 1.5, 1e-9);
    cr_assert_eq(t.cgroup.hugetlb.at("2MB").failcnt, 3u);
    cr_assert(t.load.has_value());
    cr_assert_eq(t.load->tasks, 9u);
}

Test(stats_event, refuses_what_is_not_a_stats_record) {
    cr_assert_throw(parse_stats_event_json("{\"type\": \"oom\"}", "record"), Error);
    cr_assert_throw(parse_stats_event_json("not json", "record"), Error);
    // A record without some sections reads them as zero.
    ContainerStats t = parse_stats_event_json(R"({"type": "stats", "id": "x", "data": {"pids": {"current": 2}}})", "record");
    cr_assert_eq(t.cgroup.pids.current, 2u);
    cr_assert_eq(t.cgroup.memory.usage, 0u);
}
