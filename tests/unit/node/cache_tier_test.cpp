// evaluate_cache_tier: the dm-cache status lines the kernel prints, judged as `mogu check` does.
#include "runtime/node/cache_tier_check.h"

#include <criterion/criterion.h>

#include <string>

using namespace mogu::node;

namespace {

const char* kTable = "253:1 253:2 252:16 128 2 writeback no_discard_passdown smq 0";

Finding judge(const std::string& status) {
    Report r;
    evaluate_cache_tier({"mogu-data", kTable, status}, r);
    cr_assert_eq(r.findings.size(), 1u);
    return r.findings[0];
}

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

Test(cache_tier, a_healthy_writeback_cache_is_ok_with_its_figures) {
    auto f = judge("8 27/1280 128 96/944 410 133 52 7 0 96 12 2 writeback no_discard_passdown "
                   "2 migration_threshold 2048 smq 0 rw -");
    cr_assert_eq(f.level, Level::ok, "%s", f.detail.c_str());
    cr_assert_eq(f.name, std::string("cache tier mogu-data"));
    cr_assert(has(f.detail, "writeback, policy smq, 10% of 944 blocks used, read hits 75% (410 hits, 133 misses), 12 dirty"),
              "%s", f.detail.c_str());
}

Test(cache_tier, a_failed_target_fails) {
    auto f = judge("Fail");
    cr_assert_eq(f.level, Level::fail);
    cr_assert(has(f.detail, "has failed"), "%s", f.detail.c_str());
}

Test(cache_tier, read_only_or_needs_check_metadata_fails_and_names_detach) {
    auto ro = judge("8 27/1280 128 96/944 0 0 0 0 0 0 3 1 writeback 2 migration_threshold 2048 smq 0 ro -");
    cr_assert_eq(ro.level, Level::fail);
    cr_assert(has(ro.detail, "read-only"), "%s", ro.detail.c_str());
    cr_assert(has(ro.fix, "pool cache detach"), "%s", ro.fix.c_str());
    auto nc = judge("8 27/1280 128 96/944 0 0 0 0 0 0 3 1 writeback 2 migration_threshold 2048 smq 0 rw needs_check");
    cr_assert_eq(nc.level, Level::fail);
    cr_assert(has(nc.detail, "needs_check"), "%s", nc.detail.c_str());
}

Test(cache_tier, passthrough_and_full_metadata_warn) {
    auto pt = judge("8 27/1280 128 96/944 0 0 0 0 0 0 0 1 passthrough 2 migration_threshold 2048 smq 0 rw -");
    cr_assert_eq(pt.level, Level::warn);
    cr_assert(has(pt.detail, "passthrough"), "%s", pt.detail.c_str());
    auto full = judge("8 1200/1280 128 96/944 0 0 0 0 0 0 0 1 writethrough 2 migration_threshold 2048 smq 0 rw -");
    cr_assert_eq(full.level, Level::warn);
    cr_assert(has(full.detail, "metadata is 93% full"), "%s", full.detail.c_str());
}

Test(cache_tier, a_line_that_does_not_parse_fails_quoting_it) {
    auto f = judge("8 27/1280 128 x/944");
    cr_assert_eq(f.level, Level::fail);
    cr_assert(has(f.detail, "unexpected cache status"), "%s", f.detail.c_str());
}
