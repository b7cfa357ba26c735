#include "snapshotter/cache_layout.h"

#include "common/error.h"
#include "common/strings.h"
#include "snapshotter/errors.h"
#include "snapshotter/sizes.h"

#include <map>

namespace mogu::snap {
namespace {

constexpr uint64_t kMiB = 1ULL << 20;
constexpr uint64_t kTransactionOverhead = 4 * kMiB;
constexpr uint64_t kMetaBytesPerBlock = 48;  // mapping (16) + hints (8), twice for the shadow copy

}  // namespace

uint64_t cache_metadata_bytes(uint64_t blocks) {
    uint64_t bytes = kTransactionOverhead + blocks * kMetaBytesPerBlock;
    return (bytes + kMiB - 1) / kMiB * kMiB;
}

CacheLayout plan_cache_layout(const std::string& device, uint64_t fast_bytes, uint64_t block_bytes,
                              const std::string& mode, const std::string& policy) {
    CacheLayout l{device, mode, policy, block_bytes / 512, 0, 0};
    // Metadata sized for every block the whole device could hold: a little more than needed.
    uint64_t meta = cache_metadata_bytes(fast_bytes / block_bytes);
    uint64_t need = meta + kMinCacheBlocks * block_bytes;
    if (fast_bytes < need)
        throw SnapError(ErrorKind::invalid_argument,
                        "cache_device {} holds {}; its metadata needs {} and {} cache blocks of {} need {} more "
                        "(at least {} in all)", device, format_size(fast_bytes), format_size(meta), kMinCacheBlocks,
                        format_size(block_bytes), format_size(kMinCacheBlocks * block_bytes), format_size(need));
    l.meta_sectors = meta / 512;
    l.data_sectors = (fast_bytes - meta) / block_bytes * l.block_sectors;
    return l;
}

std::string format_cache_layout(const CacheLayout& l) {
    return fmt::format("# mogu-snapshotter: the cache tier under the pool's data device (do not edit)\n"
                       "device={}\nmode={}\npolicy={}\nblock_sectors={}\nmeta_sectors={}\ndata_sectors={}\n",
                       l.device, l.mode, l.policy, l.block_sectors, l.meta_sectors, l.data_sectors);
}

CacheLayout parse_cache_layout(const std::string& text, const std::string& source) {
    std::map<std::string, std::string> kv;
    for (auto& line : split(text, '\n')) {
        if (line.empty() || line[0] == '#') continue;
        auto eq = line.find('=');
        if (eq == std::string::npos) throw Error("{}: \"{}\" is not key=value", source, line);
        kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
    auto get = [&](const char* key) {
        auto it = kv.find(key);
        if (it == kv.end() || it->second.empty()) throw Error("{}: {} is missing", source, key);
        return it->second;
    };
    auto num = [&](const char* key) {
        auto v = parse_uint(get(key));
        if (!v || *v == 0) throw Error("{}: {} \"{}\" is not a positive number", source, key, get(key));
        return *v;
    };
    CacheLayout l{get("device"), get("mode"), get("policy"), num("block_sectors"), num("meta_sectors"),
                  num("data_sectors")};
    if (l.mode != "writethrough" && l.mode != "writeback") throw Error("{}: mode \"{}\" is unknown", source, l.mode);
    return l;
}

dm::Target cache_target(const CacheLayout& l, const std::string& meta_dev, const std::string& blocks_dev,
                        const std::string& origin_dev, uint64_t origin_sectors, const std::string& policy) {
    return {0, origin_sectors, "cache",
            fmt::format("{} {} {} {} 2 {} no_discard_passdown {} 0", meta_dev, blocks_dev, origin_dev, l.block_sectors,
                        l.mode, policy)};
}

}  // namespace mogu::snap
