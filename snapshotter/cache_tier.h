// The SSD cache tier under a thin pool: dm-cache over the pool's slow data device, its metadata
// and blocks carved from the fast device. The pool's data device is always <pool>-data when a
// cache_device is configured: a dm-cache target while the cache is attached, a linear mapping of
// the origin while it is detached. Attach and detach reload that one device's table, so the
// pool above it (and the thin devices the containers hold open) never change.
//
//   <pool>-cmeta   linear, fast device [0, meta)          cache metadata (dirty state survives power-off)
//   <pool>-cblocks linear, fast device [meta, meta+data)  cache blocks
//   <pool>-data    cache (cmeta, cblocks, origin) | linear origin
#pragma once

#include "snapshotter/cache_layout.h"
#include "snapshotter/config.h"

#include <optional>
#include <string>

namespace mogu::snap {

class CacheTier {
public:
    explicit CacheTier(const Config& config) : c_(config) {}

    std::string data_name() const { return c_.pool_name + "-data"; }
    std::string meta_name() const { return c_.pool_name + "-cmeta"; }
    std::string blocks_name() const { return c_.pool_name + "-cblocks"; }

    // The layout of the attached cache (root_path/cache.layout), nullopt when none is attached.
    std::optional<CacheLayout> saved_layout() const;

    // Builds <pool>-data over `origin_dev` (a block device path) before the pool is made or
    // activated: with the saved cache when one is attached, a fresh cache when `fresh` (pool
    // create), else linear. Returns <pool>-data's "major:minor" for the pool's table. On failure
    // everything it made is gone again.
    std::string assemble(const std::string& origin_dev, bool fresh);
    // After the pool is gone: removes <pool>-data and the cache's carve-outs.
    void teardown();
    // Refuses a config whose cache_mode differs from the attached cache's while it holds dirty
    // blocks; when clean, reloads the cache in the configured mode.
    void reconcile_mode();

    // The cache's status, nullopt while detached.
    std::optional<CacheStatus> status() const;
    // Flushes dirty blocks through the cleaner policy (waits until none are left), then puts the
    // origin back under the pool as a linear mapping; the pool stays up throughout.
    void detach(void (*progress)(uint64_t dirty) = nullptr);
    // Puts a fresh cache under the running pool's <pool>-data.
    void attach();

private:
    // A new cache on cache_device after checking it is blank and big enough; saves its layout.
    std::string create_fresh(const std::string& origin_dev, uint64_t origin_sectors);
    std::string create_cache(const CacheLayout& l, const std::string& origin_dev, uint64_t origin_sectors, bool fresh);
    const Config& c_;
};

}  // namespace mogu::snap
