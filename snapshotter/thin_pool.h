// The thin pool: one device-mapper thin-pool over a data and a metadata device, and the thin
// devices inside it. Discard is off everywhere (ignore_discard in the table; discard on dm-thin
// crashed kernels), and removing a thin device is a metadata operation ("delete" message).
#pragma once

#include "snapshotter/config.h"

#include <fmt/core.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mogu::snap {

struct PoolStatus {
    uint64_t transaction_id = 0;
    uint64_t used_meta_blocks = 0, total_meta_blocks = 0;   // 4 KiB blocks
    uint64_t used_data_blocks = 0, total_data_blocks = 0;
    uint64_t data_block_bytes = 0;
    std::string mode;            // rw, ro, out_of_data_space, Fail
    bool needs_check = false;
    std::string table;           // the pool's table line, features included

    uint64_t data_bytes() const { return total_data_blocks * data_block_bytes; }
    uint64_t used_data_bytes() const { return used_data_blocks * data_block_bytes; }
    unsigned data_use_percent() const {
        return total_data_blocks ? static_cast<unsigned>(used_data_blocks * 100 / total_data_blocks) : 0;
    }
    unsigned meta_use_percent() const {
        return total_meta_blocks ? static_cast<unsigned>(used_meta_blocks * 100 / total_meta_blocks) : 0;
    }
};

// A thin device as the pool's metadata records it (thin_dump).
struct ThinRecord {
    uint32_t dev_id = 0;
    uint64_t mapped_blocks = 0;
    uint64_t creation_time = 0;
    uint64_t snap_time = 0;
};

class ThinPool {
public:
    explicit ThinPool(const Config& config) : c_(config) {}

    // Formats a new pool on the configured devices and activates it. Refuses an existing pool or
    // devices that already hold thin metadata, before touching anything.
    void create();
    // Activates a pool whose metadata already exists (after a reboot; for recovery), its cache tier
    // first. On an active pool it only checks the cache's mode against the config.
    void activate();
    bool active() const;
    // Takes the pool down as a clean shutdown would, keeping everything on its devices: its thin
    // devices no one has open, the pool, then the cache tier (whose metadata keeps its dirty
    // blocks marked; `activate` and the daemon rebuild it from the saved layout). Refuses, before
    // removing anything, while a thin device is open (mounted: a container runs on it).
    void deactivate();
    // Deactivates the pool and wipes its metadata superblock; refuses while thin devices are active.
    void destroy();
    PoolStatus status() const;
    const std::string& name() const { return c_.pool_name; }

    void create_thin(uint32_t id);
    // O(1) snapshot of `origin`; the origin must not be active (committed devices are not).
    void create_snap(uint32_t id, uint32_t origin);
    // Drops a thin device from the pool's metadata; no discard. Missing is not an error.
    void delete_thin(uint32_t id);

    std::string thin_name(uint32_t id) const { return fmt::format("{}-snap-{}", c_.pool_name, id); }
    std::string recover_name(uint32_t id) const { return fmt::format("{}-recover-{}", c_.pool_name, id); }
    void activate_thin(const std::string& dm_name, uint32_t id, uint64_t bytes, bool read_only = false) const;
    // Retries while the device is busy, then fails saying so.
    void deactivate_thin(const std::string& dm_name) const;
    // Bytes mapped by an active thin device (its status).
    uint64_t mapped_bytes(const std::string& dm_name) const;
    // Active device-mapper devices that belong to this pool (<pool>-snap-*, <pool>-recover-*).
    std::vector<std::string> active_thin_devices() const;
    // Every thin device in the pool's metadata, through thin_dump (a metadata snapshot when live).
    std::vector<ThinRecord> list_from_metadata() const;

private:
    struct Devices;
    void load_table(bool fresh);
    const Config& c_;
};

// Parses thin_dump's XML: the <device .../> elements.
std::vector<ThinRecord> parse_thin_dump(const std::string& xml);
// Parses a thin-pool status line.
PoolStatus parse_pool_status(const std::string& params, uint64_t data_block_bytes);

}  // namespace mogu::snap
