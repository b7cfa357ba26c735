// The dm-cache tier under the thin pool (issue 15, built in the snapshotter's dm/ code by
// another change). This is the seam `mogu check` reports through: until the tier exists, it is
// "not configured". When it lands, fill CacheTierStatus from its configuration and the cache
// target's status line (dm::Control::targets(name, true): "<metadata block size> <used>/<total>
// ... <read hits> <read misses> ... <mode> ... needs_check") and judge it in
// evaluate_cache_tier().
#pragma once

#include "runtime/node/finding.h"

#include <optional>
#include <string>

namespace mogu::node {

struct CacheTierStatus {
    std::string device;          // the dm-cache device's name
    std::string status;          // its status line
};

// nullopt while no cache tier is configured (always, for now).
std::optional<CacheTierStatus> find_cache_tier();

void report_cache_tier(const std::optional<CacheTierStatus>& tier, Report& r);

}  // namespace mogu::node
