// Device-mapper in the running kernel: the control node, the thin-pool and cache targets
// (loaded, or modules to load), and mogu-snapshotter's pool when one is configured.
#include "common/dm_ioctl.h"
#include "common/error.h"
#include "common/files.h"
#include "common/strings.h"
#include "runtime/node/host/cache_tier.h"
#include "runtime/node/host/modules.h"
#include "runtime/node/host/probes.h"
#include "runtime/node/host/snapshotter_config.h"
#include "runtime/node/host/snapshotter_db.h"
#include "runtime/node/thin_pool_check.h"

#include <sys/sysmacros.h>

#include <fmt/core.h>

namespace mogu::node {
namespace {

void target_line(const dm::Control& dm, const std::string& release, Report& r, const char* target, const char* module,
                 const char* why) {
    for (const auto& t : dm.target_types())
        if (t.name == target) {
            r.ok("storage", fmt::format("dm target {}", target),
                 fmt::format("loaded, version {}.{}.{}: {}", t.version[0], t.version[1], t.version[2], why));
            return;
        }
    auto s = module_state(release, module);
    if (s == ModuleState::available)
        r.warn("storage", fmt::format("dm target {}", target), fmt::format("not loaded; module {} is on disk: {}", module, why),
               fmt::format("modprobe {} (and list it in /etc/modules-load.d/mogu.conf)", module));
    else
        r.warn("storage", fmt::format("dm target {}", target), fmt::format("not in this kernel: {}", why),
               fmt::format("use a kernel with the {} module", module));
}

void pool_lines(const dm::Control& dm, const PoolConfig& config, Report& r) {
    const std::string& pool = config.pool_name;
    auto table = dm.targets(pool, false);
    if (!table) {
        r.fail("storage", "thin pool " + pool, "configured but there is no device-mapper device of that name",
               "mogu-snapshotter pool activate (or pool create on new devices)");
        return;
    }
    auto status = dm.targets(pool, true);
    if (table->size() != 1 || (*table)[0].type != "thin-pool" || !status || status->size() != 1) {
        r.fail("storage", "thin pool " + pool, fmt::format("{} is not a single thin-pool target", pool),
               "check pool_name in " + std::string(kSnapshotterConfig));
        return;
    }
    ThinPoolState st;
    st.name = pool;
    st.table = (*table)[0].params;
    st.status = (*status)[0].params;
    st.low_water_mark_percent = config.low_water_mark_percent;
    try {
        if (auto c = read_committed(config.root_path + "/metadata.db")) {
            st.committed_bytes = c->bytes;
            st.committed_devices = c->devices;
        }
    } catch (const Error& e) {
        r.warn("storage", "thin pool " + pool + " database", e.what(), "check mogu-snapshotter's root_path and its metadata.db");
    }
    // Thin devices name their pool by its device number: "thin <major>:<minor> <dev id>".
    auto num = dm.device_number(pool);
    std::string ref = num ? fmt::format("{}:{}", major(*num), minor(*num)) : "";
    for (const auto& d : dm.devices()) {
        auto ts = dm.targets(d.name, false);
        if (!ts) continue;
        for (const auto& t : *ts)
            if (t.type == "thin" && split(t.params, ' ')[0] == ref) {
                st.provisioned_sectors += t.length;
                ++st.thin_devices;
            }
    }
    evaluate_thin_pool(st, r);
}

}  // namespace

void probe_device_mapper(const std::string& release, const std::string& snapshotter_config, Report& r) {
    std::optional<PoolConfig> pool;
    try {
        pool = read_pool_config(snapshotter_config);
    } catch (const Error& e) {
        r.fail("storage", "snapshotter config", e.what(), "fix the file (see docs/snapshotter.md)");
    }
    std::optional<dm::Control> dm;
    try {
        dm.emplace();
    } catch (const SysError& e) {
        auto s = module_state(release, "dm-mod");
        if (s == ModuleState::available)
            r.warn("storage", "device-mapper", fmt::format("not loaded ({}); the dm-mod module is on disk", e.what()),
                   "modprobe dm-thin-pool (loads dm-mod too)");
        else
            r.warn("storage", "device-mapper", fmt::format("not in this kernel ({})", e.what()),
                   "mogu-snapshotter needs a kernel with device-mapper; containerd's overlayfs snapshotter works without it");
        r.warn("storage", "thin pool", "not checked: no device-mapper", "");
        r.warn("storage", "cache tier", "not checked: no device-mapper", "");
        return;
    }
    r.ok("storage", "device-mapper", "/dev/mapper/control answers");
    target_line(*dm, release, r, "thin-pool", "dm-thin-pool", "mogu-snapshotter's pool");
    target_line(*dm, release, r, "cache", "dm-cache", "the cache tier under the pool");
    if (!pool) {
        r.ok("storage", "thin pool", fmt::format("not configured ({} does not exist)", snapshotter_config));
        r.ok("storage", "cache tier", "not configured (no thin pool)");
        return;
    }
    pool_lines(*dm, *pool, r);
    report_cache_tier(*dm, pool->pool_name, r);
}

}  // namespace mogu::node
