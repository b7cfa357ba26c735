#include "runtime/node/host/cache_tier.h"

#include "runtime/node/cache_tier_check.h"

#include <fmt/core.h>

namespace mogu::node {

void report_cache_tier(const dm::Control& dm, const std::string& pool_name, Report& r) {
    std::string data = pool_name + "-data";
    auto table = dm.targets(data, false);
    if (!table) {
        r.ok("storage", "cache tier", fmt::format("not configured (no {} device: the pool has no cache_device)", data));
        return;
    }
    if (table->size() == 1 && (*table)[0].type == "linear") {
        r.ok("storage", "cache tier " + data, "detached: the pool reads and writes the slow device directly");
        return;
    }
    auto status = dm.targets(data, true);
    if (table->size() != 1 || (*table)[0].type != "cache" || !status || status->size() != 1) {
        r.fail("storage", "cache tier " + data, fmt::format("{} is neither one cache target nor one linear target", data),
               "dmsetup table " + data + " (mogu-snapshotter makes it a cache or a linear mapping)");
        return;
    }
    evaluate_cache_tier({data, (*table)[0].params, (*status)[0].params}, r);
}

}  // namespace mogu::node
