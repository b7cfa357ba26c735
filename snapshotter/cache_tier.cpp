#include "snapshotter/cache_tier.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"
#include "snapshotter/block_device.h"
#include "snapshotter/dm/device_mapper.h"
#include "snapshotter/errors.h"
#include "snapshotter/loop_device.h"
#include "snapshotter/sizes.h"

#include <sys/stat.h>
#include <unistd.h>

#include <optional>

namespace mogu::snap {
namespace {

// The fast device as a block device: a file goes through a loop device (autoclear: it stays
// attached while the cache's tables hold it).
struct FastDevice {
    std::optional<LoopDevice> loop;
    std::string dev;
    uint64_t bytes = 0;
};

FastDevice open_fast(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) throw SysError(errno, "cache_device {}", path);
    FastDevice f;
    if (S_ISREG(st.st_mode)) {
        f.loop.emplace(LoopDevice::attach(path));
        f.dev = f.loop->path();
    } else if (S_ISBLK(st.st_mode)) {
        f.dev = path;
    } else {
        throw SnapError(ErrorKind::invalid_argument, "cache_device {} is neither a block device nor a file", path);
    }
    f.bytes = block_device_bytes(f.dev);
    return f;
}

void remove_if_there(const std::string& name) {
    if (dm::exists(name)) dm::remove(name, 20);
}

// Removes what a half-built cache made, keeping the first error.
void undo(std::initializer_list<std::string> names) {
    for (auto& n : names) {
        try { remove_if_there(n); } catch (const std::exception& e) { log::warn("undo cache device {}: {}", n, e.what()); }
    }
}

}  // namespace

std::optional<CacheLayout> CacheTier::saved_layout() const {
    auto text = read_file_if_exists(c_.cache_state_path());
    if (!text) return std::nullopt;
    return parse_cache_layout(*text, c_.cache_state_path());
}

std::string CacheTier::create_cache(const CacheLayout& l, const std::string& origin_dev, uint64_t origin_sectors,
                                    bool fresh) {
    auto fast = open_fast(l.device);
    if (l.meta_sectors + l.data_sectors > fast.bytes / 512)
        throw SnapError(ErrorKind::failed_precondition, "cache_device {} holds {}, less than its saved layout ({}) uses",
                        l.device, format_size(fast.bytes), c_.cache_state_path());
    if (dev_t_of(fast.dev) == dev_t_of(origin_dev))
        throw SpecError(c_.source + ": cache_device", "{} is the pool's data device", l.device);
    bool made_meta = false, made_blocks = false;
    try {
        dm::create(meta_name(), {0, l.meta_sectors, "linear", fmt::format("{} 0", dev_t_of(fast.dev))});
        made_meta = true;
        dm::create(blocks_name(), {0, l.data_sectors, "linear", fmt::format("{} {}", dev_t_of(fast.dev), l.meta_sectors)});
        made_blocks = true;
        // A zeroed superblock makes the kernel format fresh cache metadata.
        if (fresh) zero_superblock(dm::node_path(meta_name()));
        auto t = cache_target(l, dev_t_of(dm::node_path(meta_name())), dev_t_of(dm::node_path(blocks_name())),
                              dev_t_of(origin_dev), origin_sectors, l.policy);
        if (dm::exists(data_name())) dm::reload(data_name(), t);
        else dm::create(data_name(), t);
    } catch (...) {
        if (made_blocks) undo({blocks_name()});
        if (made_meta) undo({meta_name()});
        throw;
    }
    return dev_t_of(dm::node_path(data_name()));
}

std::string CacheTier::assemble(const std::string& origin_dev, bool fresh) {
    if (dm::exists(data_name())) return dev_t_of(dm::node_path(data_name()));
    uint64_t origin_sectors = block_device_bytes(origin_dev) / 512;
    auto saved = saved_layout();
    if (saved && fresh)
        throw SnapError(ErrorKind::already_exists,
                        "{} describes a cache that is still attached (its dirty blocks may be the only copy): "
                        "`pool activate` uses it", c_.cache_state_path());
    if (saved) {
        auto dev = create_cache(*saved, origin_dev, origin_sectors, false);
        try {
            reconcile_mode();
        } catch (...) {
            teardown();
            throw;
        }
        return dev;
    }
    if (fresh && c_.has_cache()) {
        return create_fresh(origin_dev, origin_sectors);
    }
    // No cache attached: the origin as it is, so a cache can be attached under the running pool.
    dm::create(data_name(), {0, origin_sectors, "linear", fmt::format("{} 0", dev_t_of(origin_dev))});
    return dev_t_of(dm::node_path(data_name()));
}

void CacheTier::teardown() {
    remove_if_there(data_name());
    remove_if_there(blocks_name());
    remove_if_there(meta_name());
}

std::optional<CacheStatus> CacheTier::status() const {
    if (!dm::exists(data_name())) return std::nullopt;
    auto t = dm::status(data_name());
    if (t.empty() || t[0].type != "cache") return std::nullopt;
    return parse_cache_status(t[0].params);
}

void CacheTier::reconcile_mode() {
    auto saved = saved_layout();
    auto st = status();
    if (!saved || !st || !c_.has_cache() || st->mode == c_.cache_mode) return;
    if (st->dirty > 0)
        throw SnapError(ErrorKind::failed_precondition,
                        "{}: cache_mode is {} but the cache on {} is set up as {} and holds {} dirty block(s); switching "
                        "now could lose them: `pool cache detach` flushes them, then `pool cache attach` sets it up as {}",
                        c_.source, c_.cache_mode, saved->device, st->mode, st->dirty, c_.cache_mode);
    auto l = *saved;
    l.mode = c_.cache_mode;
    auto table = dm::table(data_name()).at(0);
    auto f = split(table.params, ' ');
    dm::reload(data_name(), cache_target(l, f.at(0), f.at(1), f.at(2), table.length, l.policy));
    write_file_atomic(c_.cache_state_path(), format_cache_layout(l), 0600);
    log::info("cache on {} switched from {} to {} (it was clean)", l.device, st->mode, l.mode);
}

void CacheTier::detach(void (*progress)(uint64_t dirty)) {
    auto saved = saved_layout();
    auto st = status();
    if (!saved || !st)
        throw SnapError(ErrorKind::not_found, "pool {} has no cache attached{}", c_.pool_name,
                        dm::exists(data_name()) ? "" : " (the pool is not active)");
    if (st->failed || st->metadata_mode != "rw")
        throw SnapError(ErrorKind::failed_precondition,
                        "the cache on {} is {}: it cannot flush its dirty blocks (see the kernel log; cache_check)",
                        saved->device, st->failed ? "failed" : "read-only");
    auto table = dm::table(data_name()).at(0);
    auto f = split(table.params, ' ');
    const std::string origin = f.at(2);
    // The cleaner policy writes every dirty block back and promotes nothing. In writethrough mode
    // a write to a clean block goes to the origin too and leaves it clean, so the dirty count only
    // falls, even under a container that keeps rewriting cached blocks (in writeback mode each
    // such write made a block dirty again and the flush never ended). Blocks still dirty stay
    // dirty in the metadata until written back: a crash here finds them (cache.layout still says
    // how the cache was made).
    CacheLayout flushing = *saved;
    flushing.mode = "writethrough";
    dm::reload(data_name(), cache_target(flushing, f.at(0), f.at(1), origin, table.length, "cleaner"));
    for (;;) {
        st = status();
        if (!st || st->failed) throw Error("the cache under pool {} failed while flushing (see the kernel log)", c_.pool_name);
        if (progress) progress(st->dirty);
        if (st->dirty == 0) {
            // Suspended, nothing new can be written: swap in the origin only if it is still clean.
            dm::suspend(data_name());
            st = status();
            if (st && st->dirty == 0) break;
            dm::resume(data_name());
            continue;
        }
        usleep(200 * 1000);
    }
    // Reload loads the linear table and resumes: the pool above saw only a short suspend.
    dm::reload(data_name(), {0, table.length, "linear", origin + " 0"});
    zero_superblock(dm::node_path(meta_name()));
    remove_if_there(blocks_name());
    remove_if_there(meta_name());
    ::unlink(c_.cache_state_path().c_str());
}

void CacheTier::attach() {
    if (!c_.has_cache()) throw SpecError(c_.source + ": cache_device", "not set: which fast device to attach");
    if (auto saved = saved_layout())
        throw SnapError(ErrorKind::already_exists, "pool {} already has a cache on {}", c_.pool_name, saved->device);
    if (!dm::exists(c_.pool_name)) throw SnapError(ErrorKind::unavailable, "pool {} is not active", c_.pool_name);
    if (!dm::exists(data_name()))
        throw SnapError(ErrorKind::failed_precondition,
                        "pool {} runs on its data device directly (it was activated without cache_device in the config), "
                        "and the kernel cannot swap a live pool's data device: stop its users, remove the pool's devices "
                        "and activate it again with cache_device set", c_.pool_name);
    auto table = dm::table(data_name()).at(0);
    if (table.type != "linear") throw SnapError(ErrorKind::already_exists, "{} is already a {} device", data_name(), table.type);
    create_fresh(node_of(split(table.params, ' ').at(0)), table.length);
}

std::string CacheTier::create_fresh(const std::string& origin_dev, uint64_t origin_sectors) {
    auto sig = signature_on(c_.cache_device);
    if (!sig.empty())
        throw SnapError(ErrorKind::failed_precondition,
                        "cache_device {} holds a {} signature (a filesystem or other data): refusing to overwrite it; "
                        "wipe it first (wipefs -a) if it is no longer needed", c_.cache_device, sig);
    if (has_superblock(c_.cache_device, kCacheMagic))
        throw SnapError(ErrorKind::failed_precondition,
                        "cache_device {} holds dm-cache metadata of a cache that was not detached (its dirty blocks may be "
                        "the only copy of some data); wipe its first 4KiB if it is no longer needed", c_.cache_device);
    auto fast = open_fast(c_.cache_device);
    auto l = plan_cache_layout(c_.cache_device, fast.bytes, c_.cache_block_size, c_.cache_mode, c_.cache_policy);
    // The layout is saved first: a crash from here on finds it and rebuilds the cache.
    mkdir_p(c_.root_path, 0700);
    write_file_atomic(c_.cache_state_path(), format_cache_layout(l), 0600);
    try {
        return create_cache(l, origin_dev, origin_sectors, true);
    } catch (...) {
        ::unlink(c_.cache_state_path().c_str());
        throw;
    }
}

}  // namespace mogu::snap
