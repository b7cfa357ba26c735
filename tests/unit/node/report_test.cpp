#include "common/json.h"
#include "runtime/node/finding.h"
#include "runtime/node/thin_pool_check.h"

#include <criterion/criterion.h>

using namespace mogu;
using namespace mogu::node;

Test(report, exit_code_is_the_worst_line) {
    Report r;
    cr_assert_eq(r.exit_code(), 0);
    r.ok("a", "b", "c");
    cr_assert_eq(r.exit_code(), 0);
    r.warn("a", "b", "c", "d");
    cr_assert_eq(r.exit_code(), 1);
    r.fail("a", "b", "c", "d");
    r.ok("a", "b", "c");
    cr_assert_eq(r.exit_code(), 2);
}

Test(report, json_has_every_line_and_the_summary) {
    Report r;
    r.kernel_release = "6.1.0-57-amd64";
    r.ok("kernel", "version", "fine \"quoted\"");
    r.warn("sysctl", "vm.max_map_count", "65530", "mogu tune --profile dense");
    auto doc = JsonDoc::parse(report_json(r), "report");
    auto root = doc.root();
    cr_assert_eq(root.get("kernel")->as_string(), "6.1.0-57-amd64");
    cr_assert(root.get("config_source") == std::nullopt, "no config: null");
    cr_assert_eq(root.get("exit_code")->as_int(), 1);
    cr_assert_eq(root.get("summary")->get("warn")->as_int(), 1);
    auto checks = root.get("checks")->elements();
    cr_assert_eq(checks.size(), 2u);
    cr_assert_eq(checks[0].get("level")->as_string(), "OK");
    cr_assert_eq(checks[0].get("detail")->as_string(), "fine \"quoted\"");
    cr_assert(!checks[0].get("fix"));
    cr_assert_eq(checks[1].get("fix")->as_string(), "mogu tune --profile dense");
}

Test(report, text_puts_the_fix_under_its_line_and_a_summary_last) {
    Report r;
    r.kernel_release = "6.1.0";
    r.config_source = "/boot/config-6.1.0";
    r.fail("storage", "thin pool mogu mode", "out_of_data_space", "free space");
    auto t = report_text(r);
    cr_assert(t.find("kernel 6.1.0 (config: /boot/config-6.1.0)\n") == 0, "%s", t.c_str());
    cr_assert(t.find("FAIL  storage   thin pool mogu mode: out_of_data_space\n") != std::string::npos, "%s", t.c_str());
    cr_assert(t.find("fix: free space\n") != std::string::npos);
    cr_assert(t.find("0 ok, 0 warnings, 1 failures\n") != std::string::npos);
}

static ThinPoolState pool(const std::string& table, const std::string& status, uint64_t provisioned) {
    ThinPoolState p;
    p.name = "mogu";
    p.table = table;
    p.status = status;
    p.provisioned_sectors = provisioned;
    p.thin_devices = 2;
    return p;
}

static Level level_of(const Report& r, const std::string& name) {
    for (const auto& f : r.findings)
        if (f.name == name) return f.level;
    cr_assert_fail("no line %s", name.c_str());
    return Level::ok;
}

// 1 GiB of data in 64 KiB blocks: 16384 blocks, 2097152 sectors.
static const char* kTable = "253:1 253:2 128 32768 1 ignore_discard";

Test(thin_pool, a_healthy_pool_is_all_ok) {
    Report r;
    evaluate_thin_pool(pool(kTable, "1 10/4096 100/16384 - rw discard_passdown queue_if_no_space - 1024", 1048576), r);
    cr_assert_eq(r.worst(), Level::ok);
    cr_assert_eq(r.findings.size(), 5u);
}

Test(thin_pool, missing_ignore_discard_warns) {
    Report r;
    evaluate_thin_pool(pool("253:1 253:2 128 32768 0", "1 10/4096 100/16384 - rw", 0), r);
    cr_assert_eq(level_of(r, "thin pool mogu ignore_discard"), Level::warn);
}

Test(thin_pool, over_provisioning_fails) {
    Report r;
    evaluate_thin_pool(pool(kTable, "1 10/4096 100/16384 - rw", 2097152 + 8), r);
    cr_assert_eq(level_of(r, "thin pool mogu provisioning"), Level::fail);
}

Test(thin_pool, use_at_or_above_the_low_water_mark_fails_near_it_warns) {
    Report r;
    evaluate_thin_pool(pool(kTable, "1 10/4096 14746/16384 - rw", 0), r);  // 90%
    cr_assert_eq(level_of(r, "thin pool mogu data use"), Level::fail);
    Report r2;
    evaluate_thin_pool(pool(kTable, "1 3400/4096 100/16384 - rw", 0), r2);  // 83%
    cr_assert_eq(level_of(r2, "thin pool mogu metadata use"), Level::warn);
}

Test(thin_pool, a_failed_or_read_only_pool_fails) {
    Report r;
    evaluate_thin_pool(pool(kTable, "Fail", 0), r);
    cr_assert_eq(r.worst(), Level::fail);
    Report r2;
    evaluate_thin_pool(pool(kTable, "1 10/4096 100/16384 - out_of_data_space", 0), r2);
    cr_assert_eq(level_of(r2, "thin pool mogu mode"), Level::fail);
}

Test(thin_pool, an_unexpected_status_is_one_failure) {
    Report r;
    evaluate_thin_pool(pool(kTable, "garbage", 0), r);
    cr_assert_eq(r.findings.size(), 1u);
    cr_assert_eq(r.worst(), Level::fail);
}

Test(thin_pool, the_snapshotters_database_counts_inactive_devices_too) {
    Report r;
    auto p = pool(kTable, "1 10/4096 100/16384 - rw", 0);  // nothing active
    p.committed_bytes = (1ull << 30) + (64ull << 20);     // 1 GiB + 64 MiB committed on 1 GiB of data
    p.committed_devices = 3;
    evaluate_thin_pool(p, r);
    cr_assert_eq(level_of(r, "thin pool mogu provisioning"), Level::fail);
    Report ok;
    p.committed_bytes = 512ull << 20;
    evaluate_thin_pool(p, ok);
    cr_assert_eq(level_of(ok, "thin pool mogu provisioning"), Level::ok);
    bool named = false;
    for (const auto& f : ok.findings)
        if (f.detail.find("3 device(s) of 512 MiB in the snapshotter's database") != std::string::npos) named = true;
    cr_assert(named);
}
