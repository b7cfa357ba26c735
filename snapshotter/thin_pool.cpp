#include "snapshotter/thin_pool.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"
#include "snapshotter/dm/device_mapper.h"
#include "snapshotter/block_device.h"
#include "snapshotter/cache_tier.h"
#include "snapshotter/errors.h"
#include "snapshotter/loop_device.h"
#include "snapshotter/process.h"
#include "snapshotter/sizes.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <regex>

namespace mogu::snap {
namespace {

constexpr uint64_t kMinMetaBytes = 2ULL << 20;

std::string xml_attr(const std::string& element, const std::string& name) {
    auto pos = element.find(" " + name + "=\"");
    if (pos == std::string::npos) return "";
    pos += name.size() + 3;
    auto end = element.find('"', pos);
    return end == std::string::npos ? "" : element.substr(pos, end - pos);
}

}  // namespace

std::vector<ThinRecord> parse_thin_dump(const std::string& xml) {
    std::vector<ThinRecord> out;
    size_t pos = 0;
    while ((pos = xml.find("<device ", pos)) != std::string::npos) {
        auto end = xml.find('>', pos);
        if (end == std::string::npos) break;
        std::string el = xml.substr(pos, end - pos);
        ThinRecord r;
        auto id = parse_uint(xml_attr(el, "dev_id"));
        if (!id) throw Error("thin_dump output: a device without dev_id: {}", el);
        r.dev_id = static_cast<uint32_t>(*id);
        r.mapped_blocks = parse_uint(xml_attr(el, "mapped_blocks")).value_or(0);
        r.creation_time = parse_uint(xml_attr(el, "creation_time")).value_or(0);
        r.snap_time = parse_uint(xml_attr(el, "snap_time")).value_or(0);
        out.push_back(r);
        pos = end;
    }
    return out;
}

PoolStatus parse_pool_status(const std::string& params, uint64_t data_block_bytes) {
    PoolStatus s;
    s.data_block_bytes = data_block_bytes;
    auto f = split(trim(params), ' ');
    if (f.size() == 1 && f[0] == "Fail") { s.mode = "Fail"; return s; }
    if (f.size() < 5) throw Error("unexpected thin-pool status \"{}\"", params);
    s.transaction_id = parse_uint(f[0]).value_or(0);
    auto frac = [&](const std::string& v, uint64_t& used, uint64_t& total) {
        auto p = split(v, '/');
        if (p.size() != 2 || !parse_uint(p[0]) || !parse_uint(p[1]))
            throw Error("unexpected thin-pool status \"{}\"", params);
        used = *parse_uint(p[0]);
        total = *parse_uint(p[1]);
    };
    frac(f[1], s.used_meta_blocks, s.total_meta_blocks);
    frac(f[2], s.used_data_blocks, s.total_data_blocks);
    s.mode = f.size() > 4 ? f[4] : "";
    for (auto& w : f) if (w == "needs_check") s.needs_check = true;
    return s;
}

void ThinPool::load_table(bool fresh) {
    auto data = check_device(c_, "data_device", c_.data_device);
    auto meta = check_device(c_, "metadata_device", c_.metadata_device);
    if (data.path == meta.path) throw SpecError(c_.source + ": metadata_device", "is the same as data_device");
    if (meta.bytes < kMinMetaBytes)
        throw SnapError(ErrorKind::invalid_argument, "metadata_device {} holds {}; a pool needs at least {}", meta.path,
                        format_size(meta.bytes), format_size(kMinMetaBytes));
    uint64_t blocks = data.bytes / c_.data_block_size;
    if (blocks < 16)
        throw SnapError(ErrorKind::invalid_argument, "data_device {} holds {}; a pool needs at least 16 blocks of {}",
                        data.path, format_size(data.bytes), format_size(c_.data_block_size));
    bool formatted = has_superblock(meta.path, kThinMagic);
    if (fresh && formatted)
        throw SnapError(ErrorKind::already_exists,
                        "metadata_device {} already holds thin-pool metadata (an existing pool): `pool activate` uses it; "
                        "`pool destroy` wipes it", meta.path);
    if (!fresh && !formatted)
        throw SnapError(ErrorKind::not_found, "metadata_device {} holds no thin-pool metadata: make the pool with `pool create`",
                        meta.path);

    // Files go through loop devices; they stay attached while the pool table holds them (autoclear).
    std::optional<LoopDevice> data_loop, meta_loop;
    std::string data_dev = data.path, meta_dev = meta.path;
    if (data.is_file) { data_loop.emplace(LoopDevice::attach(data.path)); data_dev = data_loop->path(); }
    if (meta.is_file) { meta_loop.emplace(LoopDevice::attach(meta.path)); meta_dev = meta_loop->path(); }
    // With a cache tier the pool sits on <pool>-data (dm-cache, or linear while detached), built
    // first: after a crash the cache's dirty blocks are back before the pool reads anything.
    CacheTier cache(c_);
    bool layered = c_.has_cache() || cache.saved_layout().has_value();
    std::string data_majmin = layered ? cache.assemble(data_dev, fresh) : dev_t_of(data_dev);
    auto undo_cache = [&] {
        if (!layered) return;
        try {
            cache.teardown();
            if (fresh) ::unlink(c_.cache_state_path().c_str());
        } catch (const std::exception& e) {
            log::warn("undo the cache tier of pool {}: {}", c_.pool_name, e.what());
        }
    };
    try {
        if (fresh) zero_superblock(meta_dev);

        uint64_t block_sectors = c_.data_block_size / 512;
        // The kernel's own low-water event fires when this few blocks are free.
        uint64_t low_water_blocks = std::max<uint64_t>(1, blocks * (100 - c_.low_water_mark_percent) / 100);
        dm::Target t{0, blocks * block_sectors, "thin-pool",
                     fmt::format("{} {} {} {} 1 ignore_discard", dev_t_of(meta_dev), data_majmin, block_sectors,
                                 low_water_blocks)};
        dm::create(c_.pool_name, t);
    } catch (...) {
        undo_cache();
        throw;
    }
}

void ThinPool::create() {
    if (dm::exists(c_.pool_name))
        throw SnapError(ErrorKind::already_exists, "pool {} already exists ({})", c_.pool_name, dm::node_path(c_.pool_name));
    load_table(true);
}

void ThinPool::activate() {
    if (dm::exists(c_.pool_name)) {
        CacheTier(c_).reconcile_mode();  // a config whose cache_mode changed
        return;
    }
    load_table(false);
}

bool ThinPool::active() const { return dm::exists(c_.pool_name); }

std::vector<std::string> ThinPool::active_thin_devices() const {
    std::vector<std::string> out;
    for (auto& n : dm::list_devices())
        if (n.rfind(c_.pool_name + "-snap-", 0) == 0 || n.rfind(c_.pool_name + "-recover-", 0) == 0) out.push_back(n);
    return out;
}

void ThinPool::deactivate() {
    if (!active()) throw SnapError(ErrorKind::not_found, "pool {} is not active", c_.pool_name);
    auto thin = active_thin_devices();
    std::vector<std::string> open;
    for (const auto& n : thin)
        if (dm::info(n).open_count > 0) open.push_back(n);
    if (!open.empty())
        throw SnapError(ErrorKind::failed_precondition,
                        "pool {}: {} thin device(s) still open (mounted, or used by a container): {}; stop what uses them and "
                        "mogu-snapshotter first",
                        c_.pool_name, open.size(), join(open, ", "));
    for (const auto& n : thin) dm::remove(n, 20);
    dm::remove(c_.pool_name, 20);
    CacheTier(c_).teardown();
}

void ThinPool::destroy() {
    if (!active()) throw SnapError(ErrorKind::not_found, "pool {} is not active", c_.pool_name);
    auto busy = active_thin_devices();
    if (!busy.empty())
        throw SnapError(ErrorKind::failed_precondition, "pool {} still has {} active thin device(s): {}; remove them first",
                        c_.pool_name, busy.size(), join(busy, ", "));
    auto params = dm::table(c_.pool_name).at(0).params;
    std::string meta_dev = node_of(split(params, ' ').at(0));
    dm::remove(c_.pool_name, 20);
    zero_superblock(meta_dev);
    // The cache's blocks belonged to the pool: its metadata goes too, so the device can be reused.
    CacheTier cache(c_);
    if (dm::exists(cache.meta_name())) zero_superblock(dm::node_path(cache.meta_name()));
    cache.teardown();
    ::unlink(c_.cache_state_path().c_str());
}

PoolStatus ThinPool::status() const {
    if (!active()) throw SnapError(ErrorKind::unavailable, "pool {} is not active", c_.pool_name);
    auto table = dm::table(c_.pool_name).at(0);
    auto tf = split(table.params, ' ');
    uint64_t block_bytes = parse_uint(tf.at(2)).value_or(0) * 512;
    auto st = dm::status(c_.pool_name).at(0);
    auto s = parse_pool_status(st.params, block_bytes);
    s.table = fmt::format("{} {} {} {}", table.start, table.length, table.type, table.params);
    return s;
}

void ThinPool::create_thin(uint32_t id) { dm::message(c_.pool_name, fmt::format("create_thin {}", id)); }

void ThinPool::create_snap(uint32_t id, uint32_t origin) {
    dm::message(c_.pool_name, fmt::format("create_snap {} {}", id, origin));
}

void ThinPool::delete_thin(uint32_t id) {
    try {
        dm::message(c_.pool_name, fmt::format("delete {}", id));
    } catch (const SysError& e) {
        if (e.code() != ENODATA) throw;  // already gone
    }
}

void ThinPool::activate_thin(const std::string& dm_name, uint32_t id, uint64_t bytes, bool read_only) const {
    dm::create(dm_name, {0, bytes / 512, "thin", fmt::format("{} {}", dm::node_path(c_.pool_name), id)}, read_only);
}

void ThinPool::deactivate_thin(const std::string& dm_name) const {
    if (!dm::exists(dm_name)) return;
    dm::remove(dm_name, 30);
}

uint64_t ThinPool::mapped_bytes(const std::string& dm_name) const {
    auto st = dm::status(dm_name).at(0);
    auto f = split(trim(st.params), ' ');
    return parse_uint(f.at(0)).value_or(0) * 512;
}

std::vector<ThinRecord> ThinPool::list_from_metadata() const {
    if (!active()) {
        // Offline: read the metadata device (or file) directly.
        return parse_thin_dump(run_program({"thin_dump", "--skip-mappings", c_.metadata_device}));
    }
    auto params = dm::table(c_.pool_name).at(0).params;
    std::string meta_dev = node_of(split(params, ' ').at(0));
    // A live pool's metadata changes under a reader; a metadata snapshot holds still. One left
    // behind by a crash would make the reservation fail: drop it and reserve again.
    try {
        dm::message(c_.pool_name, "reserve_metadata_snap");
    } catch (const Error&) {
        dm::message(c_.pool_name, "release_metadata_snap");
        dm::message(c_.pool_name, "reserve_metadata_snap");
    }
    std::string xml;
    try {
        xml = run_program({"thin_dump", "--skip-mappings", "-m", meta_dev});
    } catch (...) {
        dm::message(c_.pool_name, "release_metadata_snap");
        throw;
    }
    dm::message(c_.pool_name, "release_metadata_snap");
    return parse_thin_dump(xml);
}

}  // namespace mogu::snap
