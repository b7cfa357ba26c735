#include "common/error.h"
#include "common/files.h"
#include "snapshotter/cache_tier.h"
#include "snapshotter/cli/cli.h"
#include "snapshotter/metadata.h"
#include "snapshotter/sizes.h"
#include "snapshotter/snapshotter.h"
#include "snapshotter/thin_pool.h"

#include <unistd.h>

#include <cstdio>

namespace mogu::snap::cli {
namespace {

void print_cache(const Config& c) {
    CacheTier cache(c);
    auto layout = cache.saved_layout();
    auto st = cache.status();
    if (!layout || !st) {
        if (c.has_cache()) std::printf("cache: detached (cache_device %s; `pool cache attach` adds it)\n", c.cache_device.c_str());
        return;
    }
    if (st->failed) { std::printf("cache: %s, Fail\n", layout->device.c_str()); return; }
    uint64_t block_bytes = st->block_sectors * 512;
    std::printf("cache: %s, %s, policy %s, blocks of %s\n", layout->device.c_str(), st->mode.c_str(), st->policy.c_str(),
                format_size(block_bytes).c_str());
    std::printf("cache use: %s of %s, %llu/%llu blocks\n", format_size(st->used_blocks * block_bytes).c_str(),
                format_size(st->total_blocks * block_bytes).c_str(), (unsigned long long)st->used_blocks,
                (unsigned long long)st->total_blocks);
    std::printf("cache reads: %llu hits, %llu misses (%u%% hits)\n", (unsigned long long)st->read_hits,
                (unsigned long long)st->read_misses, st->read_hit_percent());
    std::printf("cache writes: %llu hits, %llu misses\n", (unsigned long long)st->write_hits,
                (unsigned long long)st->write_misses);
    std::printf("cache dirty: %llu blocks\n", (unsigned long long)st->dirty);
    std::printf("cache metadata: %s%s, %llu/%llu blocks\n", st->metadata_mode.c_str(),
                st->needs_check ? " (needs_check)" : "", (unsigned long long)st->used_meta_blocks,
                (unsigned long long)st->total_meta_blocks);
}

void print_flush(uint64_t dirty) {
    static uint64_t last = UINT64_MAX;
    if (dirty != last) std::printf("flushing: %llu dirty block(s)\n", (unsigned long long)dirty);
    std::fflush(stdout);
    last = dirty;
}

int cache(const Config& c, const Args& args) {
    if (args.size() != 2) throw UsageError("pool cache wants attach or detach");
    CacheTier tier(c);
    if (args[1] == "attach") {
        tier.attach();
        std::printf("cache on %s attached under pool %s (%s)\n", c.cache_device.c_str(), c.pool_name.c_str(),
                    c.cache_mode.c_str());
    } else if (args[1] == "detach") {
        tier.detach(print_flush);
        std::printf("cache detached from pool %s: the origin is back under it\n", c.pool_name.c_str());
    } else {
        throw UsageError("unknown pool cache command \"{}\" (attach, detach)", args[1]);
    }
    return 0;
}

void print_status(const Config& c, ThinPool& pool) {
    auto st = pool.status();
    std::printf("pool: %s\n", c.pool_name.c_str());
    std::printf("mode: %s%s\n", st.mode.c_str(), st.needs_check ? " (needs_check)" : "");
    std::printf("table: %s\n", st.table.c_str());
    std::printf("data: %s used of %s (%u%%), %llu/%llu blocks of %s\n", format_size(st.used_data_bytes()).c_str(),
                format_size(st.data_bytes()).c_str(), st.data_use_percent(), (unsigned long long)st.used_data_blocks,
                (unsigned long long)st.total_data_blocks, format_size(st.data_block_bytes).c_str());
    std::printf("metadata: %u%% used, %llu/%llu blocks\n", st.meta_use_percent(), (unsigned long long)st.used_meta_blocks,
                (unsigned long long)st.total_meta_blocks);
    std::printf("low_water_mark: %u%%\n", c.low_water_mark_percent);
    print_cache(c);
    if (path_exists(c.db_path())) {
        MetaStore store(c.db_path());
        Snapshotter s(c, pool, store);
        auto cap = s.capacity();
        std::printf("committed: %llu bytes (%s) in %zu device(s)\n", (unsigned long long)cap.committed,
                    format_size(cap.committed).c_str(), cap.devices);
        std::printf("limit: %llu bytes (%s; reserve %s, overprovision_ratio %g)\n", (unsigned long long)cap.limit,
                    format_size(cap.limit).c_str(), format_size(cap.reserve).c_str(), c.overprovision_ratio);
        std::printf("free: %llu bytes\n", (unsigned long long)(cap.limit > cap.committed ? cap.limit - cap.committed : 0));
    }
}

}  // namespace

int pool(const Config& c, const Args& args) {
    if (!args.empty() && args[0] == "cache") return cache(c, args);
    if (args.size() != 1) throw UsageError("pool wants one of create, activate, deactivate, status, destroy, cache");
    ThinPool p(c);
    const auto& verb = args[0];
    if (verb == "create") {
        p.create();
        std::printf("pool %s created\n", c.pool_name.c_str());
    } else if (verb == "activate") {
        if (p.active()) {
            p.activate();
            std::printf("pool %s is already active\n", c.pool_name.c_str());
        }
        else { p.activate(); std::printf("pool %s activated\n", c.pool_name.c_str()); }
    } else if (verb == "deactivate") {
        p.deactivate();
        std::printf("pool %s deactivated\n", c.pool_name.c_str());
    } else if (verb == "status") {
        print_status(c, p);
    } else if (verb == "destroy") {
        p.destroy();
        // The database describes devices that no longer exist.
        ::unlink(c.db_path().c_str());
        std::printf("pool %s destroyed\n", c.pool_name.c_str());
    } else {
        throw UsageError("unknown pool command \"{}\" (create, activate, deactivate, status, destroy, cache)", verb);
    }
    return 0;
}

}  // namespace mogu::snap::cli
