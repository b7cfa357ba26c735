// The SSD cache tier's pure parts: how the fast device is carved (cache metadata, then cache
// blocks), the dm-cache table line, its status line, and the layout file kept in root_path so
// activation after a crash rebuilds the cache (and its dirty blocks) before the pool.
#pragma once

#include "common/dm_cache_status.h"
#include "snapshotter/dm/device_mapper.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mogu::snap {

struct CacheLayout {
    std::string device;            // the fast device as configured
    std::string mode;              // writethrough | writeback
    std::string policy;            // smq
    uint64_t block_sectors = 0;    // dm-cache block, 512-byte sectors
    uint64_t meta_sectors = 0;     // [0, meta_sectors) of the fast device: cache metadata
    uint64_t data_sectors = 0;     // [meta_sectors, meta_sectors + data_sectors): cache blocks

    uint64_t cache_blocks() const { return block_sectors ? data_sectors / block_sectors : 0; }
};

// The fewest cache blocks a cache is worth making with.
constexpr uint64_t kMinCacheBlocks = 16;

// Bytes of cache metadata for `blocks` cache blocks: the kernel's transaction overhead (4 MiB)
// plus mapping and hint space per block (as lvm sizes it), rounded up to 1 MiB.
uint64_t cache_metadata_bytes(uint64_t blocks);

// Carves a fast device of `fast_bytes` for blocks of `block_bytes`; throws (naming the device and
// the sizes) when it cannot hold its metadata and kMinCacheBlocks blocks.
CacheLayout plan_cache_layout(const std::string& device, uint64_t fast_bytes, uint64_t block_bytes,
                              const std::string& mode, const std::string& policy);

// The layout file: "key=value" lines. parse throws naming `source` on anything missing or odd.
std::string format_cache_layout(const CacheLayout& l);
CacheLayout parse_cache_layout(const std::string& text, const std::string& source);

// The dm-cache table over `origin_sectors` of the origin; devices as "major:minor". Discards are
// never passed down (no_discard_passdown), as the pool never sends them either.
dm::Target cache_target(const CacheLayout& l, const std::string& meta_dev, const std::string& blocks_dev,
                        const std::string& origin_dev, uint64_t origin_sectors, const std::string& policy);

// The cache target's status line (common: `mogu check` reads it too).
using dm::CacheStatus;
using dm::parse_cache_status;

}  // namespace mogu::snap
