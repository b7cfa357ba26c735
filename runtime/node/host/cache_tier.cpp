#include "runtime/node/host/cache_tier.h"

namespace mogu::node {

std::optional<CacheTierStatus> find_cache_tier() { return std::nullopt; }

void report_cache_tier(const std::optional<CacheTierStatus>& tier, Report& r) {
    if (!tier) {
        r.ok("storage", "cache tier", "not configured (the dm-cache tier under the thin pool is not part of mogu yet)");
        return;
    }
    r.warn("storage", "cache tier " + tier->device, "configured, but this mogu cannot judge its status: " + tier->status,
           "update mogu");
}

}  // namespace mogu::node
