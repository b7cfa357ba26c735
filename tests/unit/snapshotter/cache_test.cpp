// The cache tier's pure parts: its config keys, how the fast device is carved, the dm-cache table
// line, the status line and the layout file.
#include "snapshotter/cache_layout.h"
#include "snapshotter/config.h"

#include <criterion/criterion.h>

#include <string>

using namespace mogu::snap;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "snap.toml");
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

const char* kDevices = "pool_name = \"p\"\ndata_device = \"/dev/vdb\"\nmetadata_device = \"/dev/vdc\"\n";

}  // namespace

Test(cache_config, reads_the_cache_keys) {
    auto c = parse_config(std::string(kDevices) + "cache_device = \"/dev/nvme0n1\"\ncache_mode = \"writeback\"\n"
                                                  "cache_policy = \"smq\"\ncache_block_size = \"128KiB\"\n",
                          "snap.toml");
    cr_assert(c.has_cache());
    cr_assert_eq(c.cache_device, "/dev/nvme0n1");
    cr_assert_eq(c.cache_mode, "writeback");
    cr_assert_eq(c.cache_block_size, 128u * 1024);
    cr_assert_eq(c.cache_state_path(), "/var/lib/mogu-snapshotter/cache.layout");
}

Test(cache_config, defaults_to_writethrough_smq_and_256KiB) {
    auto c = parse_config(std::string(kDevices) + "cache_device = \"/dev/nvme0n1\"\n", "x");
    cr_assert_eq(c.cache_mode, "writethrough");
    cr_assert_eq(c.cache_policy, "smq");
    cr_assert_eq(c.cache_block_size, 256u * 1024);
    cr_assert_not(parse_config(kDevices, "x").has_cache());
}

Test(cache_config, refuses_one_device_in_two_roles) {
    auto e = error_of(std::string(kDevices) + "cache_device = \"/dev/vdb\"\n");
    cr_assert(contains(e, "snap.toml: cache_device"), "%s", e.c_str());
    cr_assert(contains(e, "same device as data_device (/dev/vdb)"), "%s", e.c_str());
    e = error_of("pool_name = \"p\"\ndata_device = \"/dev/vdb\"\nmetadata_device = \"/dev/vdb\"\n");
    cr_assert(contains(e, "metadata_device: names the same device as data_device"), "%s", e.c_str());
}

Test(cache_config, refuses_bad_mode_policy_and_block_size) {
    std::string base = std::string(kDevices) + "cache_device = \"/dev/sdz\"\n";
    cr_assert(contains(error_of(base + "cache_mode = \"passthrough\"\n"), "not writethrough or writeback"));
    cr_assert(contains(error_of(base + "cache_policy = \"mq\"\n"), "cache_policy"));
    cr_assert(contains(error_of(base + "cache_block_size = \"48KiB\"\n"), "multiple of 32KiB"));
    cr_assert(contains(error_of(base + "cache_block_size = \"16KiB\"\n"), "multiple of 32KiB"));
}

Test(cache_config, refuses_cache_keys_without_a_cache_device) {
    auto e = error_of(std::string(kDevices) + "cache_mode = \"writeback\"\n");
    cr_assert(contains(e, "cache_mode: set without cache_device"), "%s", e.c_str());
}

Test(cache_layout, carves_metadata_then_blocks) {
    auto l = plan_cache_layout("/dev/fast", 64ULL << 20, 64 * 1024, "writeback", "smq");
    // 1024 possible blocks: 4 MiB + 48 KiB of metadata, rounded up to 5 MiB.
    cr_assert_eq(l.meta_sectors, (5ULL << 20) / 512);
    cr_assert_eq(l.block_sectors, 128u);
    cr_assert_eq(l.cache_blocks(), (59ULL << 20) / (64 * 1024));
    cr_assert_eq(l.data_sectors, l.cache_blocks() * 128);
    cr_assert(l.meta_sectors + l.data_sectors <= (64ULL << 20) / 512);
}

Test(cache_layout, metadata_grows_with_the_blocks) {
    cr_assert_eq(cache_metadata_bytes(0), 4ULL << 20);
    cr_assert_eq(cache_metadata_bytes(1'000'000), (4ULL << 20) + (46ULL << 20));
}

Test(cache_layout, refuses_a_device_smaller_than_its_metadata_needs) {
    try {
        plan_cache_layout("/dev/tiny", 4ULL << 20, 256 * 1024, "writeback", "smq");
        cr_assert_fail("a 4 MiB cache device was accepted");
    } catch (const std::exception& e) {
        std::string m = e.what();
        cr_assert(contains(m, "cache_device /dev/tiny holds 4.0 MiB; its metadata needs 5.0 MiB"), "%s", m.c_str());
    }
}

Test(cache_layout, the_layout_file_round_trips_and_names_what_is_wrong) {
    auto l = plan_cache_layout("/dev/fast", 1ULL << 30, 256 * 1024, "writethrough", "smq");
    auto back = parse_cache_layout(format_cache_layout(l), "cache.layout");
    cr_assert_eq(back.device, "/dev/fast");
    cr_assert_eq(back.mode, "writethrough");
    cr_assert_eq(back.meta_sectors, l.meta_sectors);
    cr_assert_eq(back.data_sectors, l.data_sectors);
    cr_assert_eq(back.block_sectors, 512u);
    try {
        parse_cache_layout("device=/dev/fast\nmode=writeback\n", "cache.layout");
        cr_assert_fail("a layout without sizes was accepted");
    } catch (const std::exception& e) {
        cr_assert(contains(e.what(), "cache.layout: policy is missing"), "%s", e.what());
    }
}

Test(cache_table, names_devices_mode_policy_and_never_passes_discards) {
    auto l = plan_cache_layout("/dev/fast", 64ULL << 20, 64 * 1024, "writeback", "smq");
    auto t = cache_target(l, "253:1", "253:2", "252:16", 1048576, "smq");
    cr_assert_eq(t.type, "cache");
    cr_assert_eq(t.length, 1048576u);
    cr_assert_eq(t.params, "253:1 253:2 252:16 128 2 writeback no_discard_passdown smq 0");
    cr_assert(contains(cache_target(l, "a", "b", "c", 8, "cleaner").params, " cleaner 0"));
}

Test(cache_status, parses_use_hits_misses_and_dirty) {
    auto s = parse_cache_status("8 27/1280 128 96/944 410 133 52 7 0 96 12 2 writeback no_discard_passdown "
                                "2 migration_threshold 2048 smq 0 rw -");
    cr_assert_not(s.failed);
    cr_assert_eq(s.used_meta_blocks, 27u);
    cr_assert_eq(s.total_meta_blocks, 1280u);
    cr_assert_eq(s.block_sectors, 128u);
    cr_assert_eq(s.used_blocks, 96u);
    cr_assert_eq(s.total_blocks, 944u);
    cr_assert_eq(s.read_hits, 410u);
    cr_assert_eq(s.read_misses, 133u);
    cr_assert_eq(s.write_hits, 52u);
    cr_assert_eq(s.write_misses, 7u);
    cr_assert_eq(s.promotions, 96u);
    cr_assert_eq(s.dirty, 12u);
    cr_assert_eq(s.mode, "writeback");
    cr_assert_eq(s.policy, "smq");
    cr_assert_eq(s.metadata_mode, "rw");
    cr_assert_not(s.needs_check);
    cr_assert_eq(s.read_hit_percent(), 75u);
}

Test(cache_status, reads_degraded_states) {
    cr_assert(parse_cache_status("Fail").failed);
    auto s = parse_cache_status("8 27/1280 128 0/944 0 0 0 0 0 0 0 1 writethrough 2 migration_threshold 2048 "
                                "cleaner 0 ro needs_check");
    cr_assert_eq(s.mode, "writethrough");
    cr_assert_eq(s.policy, "cleaner");
    cr_assert_eq(s.metadata_mode, "ro");
    cr_assert(s.needs_check);
    cr_assert_eq(s.read_hit_percent(), 0u);
}

Test(cache_status, names_a_malformed_line) {
    try {
        parse_cache_status("8 27/1280 128 x/944 0 0 0 0 0 0 0 0 2 migration_threshold 2048 smq 0 rw -");
        cr_assert_fail("accepted");
    } catch (const std::exception& e) {
        cr_assert(contains(e.what(), "unexpected cache status"), "%s", e.what());
    }
}
