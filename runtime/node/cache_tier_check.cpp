#include "runtime/node/cache_tier_check.h"

#include "common/dm_cache_status.h"
#include "common/error.h"

#include <fmt/core.h>

namespace mogu::node {
namespace {

constexpr unsigned kMetadataWarnPercent = 90;

unsigned percent(uint64_t used, uint64_t total) { return total ? static_cast<unsigned>(used * 100 / total) : 0; }

}  // namespace

void evaluate_cache_tier(const CacheTierState& tier, Report& r) {
    const std::string area = "storage";
    const std::string n = "cache tier " + tier.device;
    dm::CacheStatus s;
    try {
        s = dm::parse_cache_status(tier.status);
    } catch (const Error& e) {
        r.fail(area, n, e.what(), "check the cache with dmsetup status " + tier.device);
        return;
    }
    if (s.failed) {
        r.fail(area, n, "the dm-cache target has failed: reads and writes to the pool's data device error out",
               "look for I/O errors of the fast device in the kernel log; stop the pool's users, then "
               "mogu-snapshotter pool deactivate and cache_check the cache's metadata");
        return;
    }
    if (s.needs_check || s.metadata_mode == "ro") {
        r.fail(area, n,
               fmt::format("the cache's metadata is {}: dm-cache no longer promotes blocks or records new dirty ones",
                           s.needs_check ? "marked needs_check" : "read-only"),
               "mogu-snapshotter pool cache detach (flushes the dirty blocks), then cache_check / cache_repair the "
               "fast device before attaching it again");
        return;
    }
    std::string detail = fmt::format("{}, policy {}, {}% of {} blocks used, read hits {}% ({} hits, {} misses), {} dirty blocks",
                                     s.mode, s.policy, percent(s.used_blocks, s.total_blocks), s.total_blocks,
                                     s.read_hit_percent(), s.read_hits, s.read_misses, s.dirty);
    if (s.mode == "passthrough") {
        r.warn(area, n, detail + ": passthrough serves every read and write from the slow device",
               "set cache_mode to writeback or writethrough in the snapshotter's config and re-activate the pool");
        return;
    }
    if (unsigned m = percent(s.used_meta_blocks, s.total_meta_blocks); m >= kMetadataWarnPercent) {
        r.warn(area, n, fmt::format("{}; its metadata is {}% full", detail, m),
               "detach the cache and attach it again on a larger fast device (mogu-snapshotter pool cache detach|attach)");
        return;
    }
    r.ok(area, n, detail);
}

}  // namespace mogu::node
