// A dm-cache target's status line, parsed (Documentation/admin-guide/device-mapper/cache.rst).
// Read by mogu-snapshotter (pool status, detach) and by `mogu check` (the cache tier's health).
#pragma once

#include <cstdint>
#include <string>

namespace mogu::dm {

struct CacheStatus {
    bool failed = false;                 // the target says "Fail"
    uint64_t meta_block_sectors = 0;
    uint64_t used_meta_blocks = 0, total_meta_blocks = 0;
    uint64_t block_sectors = 0;
    uint64_t used_blocks = 0, total_blocks = 0;
    uint64_t read_hits = 0, read_misses = 0, write_hits = 0, write_misses = 0;
    uint64_t demotions = 0, promotions = 0, dirty = 0;
    std::string mode;                    // writethrough, writeback, passthrough (from the features)
    std::string policy;
    std::string metadata_mode;           // rw or ro
    bool needs_check = false;

    unsigned read_hit_percent() const {
        auto all = read_hits + read_misses;
        return all ? static_cast<unsigned>(read_hits * 100 / all) : 0;
    }
};

// Throws Error quoting the line when a field is missing or not a number.
CacheStatus parse_cache_status(const std::string& params);

}  // namespace mogu::dm
