// Finds the SSD cache tier under mogu-snapshotter's pool for `mogu check`: <pool>-data is a
// dm-cache target while a cache is attached (a linear mapping after a detach, absent without a
// cache_device), snapshotter/cache_tier.h.
#pragma once

#include "common/dm_ioctl.h"
#include "runtime/node/finding.h"

#include <string>

namespace mogu::node {

// One line: "not configured" when <pool>-data is not there, "detached" when it is linear, else
// the cache's health (evaluate_cache_tier).
void report_cache_tier(const dm::Control& dm, const std::string& pool_name, Report& r);

}  // namespace mogu::node
