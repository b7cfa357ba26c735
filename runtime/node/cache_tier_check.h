// What `mogu check` says about the SSD cache tier under mogu-snapshotter's pool: the dm-cache
// target that is the pool's data device (<pool>-data) while a cache is attached.
#pragma once

#include "runtime/node/finding.h"

#include <string>

namespace mogu::node {

struct CacheTierState {
    std::string device;  // <pool>-data
    std::string table;   // "<meta dev> <cache dev> <origin dev> <block sectors> <n> <features>... <policy> ..."
    std::string status;  // the cache target's status line, or "Fail"
};

// One line for the tier: FAIL when the target failed, its metadata went read-only or needs a
// check (the cache then stops taking writes); WARN in passthrough mode or with its metadata
// nearly full; else OK with its mode, use, read hits and dirty blocks.
void evaluate_cache_tier(const CacheTierState& tier, Report& report);

}  // namespace mogu::node
