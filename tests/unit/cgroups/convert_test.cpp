// v1 values given on v2, translated as runc (opencontainers/cgroups) does.
#include "common/error.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/convert.h"

#include "tests/unit/cgroups/check.h"

#include <criterion/criterion.h>

using namespace mogu::cgroups;

Test(convert, cpu_shares_to_weight_keeps_the_defaults_aligned) {
    cr_assert_eq(cpu_shares_to_weight(0), 0u);  // unset stays unset
    cr_assert_eq(cpu_shares_to_weight(2), 1u);
    cr_assert_eq(cpu_shares_to_weight(1024), 100u);  // v1 default -> v2 default
    cr_assert_eq(cpu_shares_to_weight(262144), 10000u);
    cr_assert_eq(cpu_shares_to_weight(1), 1u);
    cr_assert_eq(cpu_shares_to_weight(1000000), 10000u);
    // The edges opencontainers/cgroups tests: just above the minimum, just below the maximum.
    cr_assert_eq(cpu_shares_to_weight(3), 2u);
    cr_assert_eq(cpu_shares_to_weight(262143), 10000u);
    uint64_t last = 0;
    for (uint64_t s = 2; s <= 262144; s += 97) {
        uint64_t w = cpu_shares_to_weight(s);
        cr_assert(w >= last && w >= 1 && w <= 10000, "shares %lu -> %lu after %lu", s, w, last);
        last = w;
    }
}

Test(convert, blkio_weight_to_io_weight_is_linear) {
    cr_assert_eq(blkio_weight_to_io_weight(0), 0u);
    cr_assert_eq(blkio_weight_to_io_weight(10), 1u);
    cr_assert_eq(blkio_weight_to_io_weight(1000), 10000u);
    cr_assert_eq(blkio_weight_to_io_weight(500), 1 + 490 * 9999 / 990);
}

Test(convert, swap_on_v2_is_swap_alone) {
    cr_assert_eq(memory_swap_to_v2(200, 100), 100);  // memory+swap 200 with memory 100 -> 100 of swap
    cr_assert_eq(memory_swap_to_v2(100, 100), 0);    // equal: no swap at all
    cr_assert_eq(memory_swap_to_v2(0, 100), 0);      // unset
    cr_assert_eq(memory_swap_to_v2(-1, 100), -1);    // unlimited
    cr_assert_eq(memory_swap_to_v2(0, -1), -1);      // unlimited memory lifts swap too
    cr_assert_eq(memory_swap_to_v2(300, -1), 300);   // unlimited memory: swap as given
}

Test(convert, impossible_swap_pairs_name_the_field) {
    try {
        memory_swap_to_v2(50, 100);
        cr_assert_fail("swap below memory accepted");
    } catch (const mogu::SpecError& e) {
        CHECK_STR(e.path(), "linux.resources.memory.swap");
    }
    cr_assert_throw(memory_swap_to_v2(100, 0), mogu::SpecError);
}

Test(convert, v2_limits) {
    CHECK_STR(v2_limit(-1), "max");
    CHECK_STR(v2_limit(0), "0");
    CHECK_STR(v2_limit(4096), "4096");
}

Test(convert, hugepage_size_names_match_the_kernels_files) {
    CHECK_STR(hugepage_size_name(2048), "2MB");
    CHECK_STR(hugepage_size_name(1048576), "1GB");
    CHECK_STR(hugepage_size_name(64), "64KB");
    CHECK_STR(hugepage_size_name(32768), "32MB");
    CHECK_STR(hugepage_size_name(16777216), "16GB");
}

Test(convert, pressure_files_parse_with_or_without_the_full_line) {
    auto p = parse_pressure("some avg10=1.50 avg60=0.25 avg300=0.00 total=123456\nfull avg10=0.10 avg60=0.00 avg300=0.00 total=42\n");
    cr_assert_float_eq(p.some.avg10, 1.5, 1e-9);
    cr_assert_eq(p.some.total_us, 123456u);
    cr_assert_eq(p.full.total_us, 42u);
    auto cpu_before_5_13 = parse_pressure("some avg10=2.00 avg60=1.00 avg300=0.50 total=9\n");
    cr_assert_float_eq(cpu_before_5_13.some.avg60, 1.0, 1e-9);
    cr_assert_eq(cpu_before_5_13.full.total_us, 0u);
}
