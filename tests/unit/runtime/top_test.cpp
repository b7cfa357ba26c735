// mogu top's rows: rates from two looks, sorting, and the units.
#include "runtime/lxcfs/lxcfs.h"
#include "runtime/top/rows.h"

#include <criterion/criterion.h>

using namespace mogu::runtime;
using namespace mogu::runtime::top;

namespace {

ContainerSample sample(const char* id, uint64_t cpu_ns, uint64_t written) {
    ContainerSample c;
    c.root = "/run/mogu";
    c.id = id;
    c.status = Status::running;
    c.has_stats = true;
    c.cpu_ns = cpu_ns;
    c.write_bytes = written;
    return c;
}

}  // namespace

Test(top_rows, rates_come_from_two_looks_and_a_new_container_has_none) {
    Sample before{1000000000ULL, {sample("a", 0, 0)}};
    Sample now{3000000000ULL, {sample("a", 1000000000ULL, 4096), sample("b", 5, 5)}};  // 2 s later
    auto rows = make_rows(before, now);
    cr_assert_eq(rows.size(), 2u);
    cr_assert(rows[0].cpu_percent.has_value());
    cr_assert_float_eq(*rows[0].cpu_percent, 50.0, 1e-9);  // 1 s of CPU in 2 s
    cr_assert_float_eq(*rows[0].write_bps, 2048.0, 1e-9);
    cr_assert(!rows[1].cpu_percent.has_value());  // b was not there before
    cr_assert(make_rows(Sample{}, now)[0].cpu_percent == std::nullopt);
}

Test(top_rows, a_counter_that_went_back_is_a_new_cgroup_not_a_negative_rate) {
    Sample before{0, {sample("a", 900, 0)}};
    Sample now{1000000000ULL, {sample("a", 100, 0)}};
    cr_assert(!make_rows(before, now)[0].cpu_percent.has_value());
}

Test(top_rows, sorting_puts_the_busiest_first_and_names_break_ties) {
    Sample before{0, {sample("c", 0, 0), sample("a", 0, 0), sample("b", 0, 0)}};
    Sample now{1000000000ULL, {sample("c", 100, 0), sample("a", 500000000ULL, 0), sample("b", 100, 0)}};
    auto rows = make_rows(before, now);
    sort_rows(rows, SortKey::cpu);
    cr_assert_eq(rows[0].id, "a");
    cr_assert_eq(rows[1].id, "b");
    sort_rows(rows, SortKey::id);
    cr_assert_eq(rows[0].id, "a");
    cr_assert_eq(rows[2].id, "c");
    cr_assert(parse_sort_key("mem") == SortKey::memory);
    cr_assert(!parse_sort_key("colour"));
}

Test(top_rows, bytes_read_as_docker_stats_writes_them) {
    cr_assert_eq(human_bytes(512), "512B");
    cr_assert_eq(human_bytes(1536), "1.5KiB");
    cr_assert_eq(human_bytes(256.0 * 1024 * 1024), "256.0MiB");
}

Test(lxcfs_loadavg, reads_procs_format_and_refuses_anything_else) {
    auto l = lxcfs::parse_loadavg("0.52 0.31 0.12 2/37 1234\n");
    cr_assert(l.has_value());
    cr_assert_float_eq(l->avg1, 0.52, 1e-9);
    cr_assert_float_eq(l->avg15, 0.12, 1e-9);
    cr_assert_eq(l->running, 2u);
    cr_assert_eq(l->tasks, 37u);
    cr_assert(!lxcfs::parse_loadavg("Transport endpoint is not connected"));
    cr_assert(!lxcfs::parse_loadavg("0.1 0.2 0.3 x 1"));
}

Test(lxcfs_mode, annotation_values_and_the_host_default) {
    cr_assert(lxcfs::parse_mode("required") == lxcfs::Mode::required);
    cr_assert(!lxcfs::parse_mode("yes"));
    cr_assert(lxcfs::mode_for({}, lxcfs::Mode::on) == lxcfs::Mode::on);
    cr_assert(lxcfs::mode_for({{"io.mogu.lxcfs", "false"}}, lxcfs::Mode::on) == lxcfs::Mode::off);
}
