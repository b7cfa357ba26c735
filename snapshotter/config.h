// The snapshotter's configuration: a TOML file whose keys are named like containerd's devmapper
// snapshotter (pool_name, root_path, base_image_size, fs_type, fs_options, async_remove,
// discard_blocks), so a devmapper section can be carried over, plus the pool's devices and limits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mogu::snap {

struct Config {
    std::string source;              // the file it came from, for messages
    std::string pool_name;           // /dev/mapper/<pool_name>
    std::string root_path = "/var/lib/mogu-snapshotter";  // metadata.db
    std::string address = "/run/mogu-snapshotter/snapshotter.sock";
    uint64_t base_image_size = 10ULL * 1000 * 1000 * 1000;  // "10GB", as containerd's default
    std::string fs_type = "ext4";    // ext4 or xfs
    std::vector<std::string> fs_options;  // extra mkfs arguments
    bool async_remove = false;       // Remove only marks; Cleanup deletes the devices
    std::string data_device;         // block device, or a file (attached through a loop device)
    std::string metadata_device;
    uint64_t data_block_size = 64 * 1024;  // thin-pool allocation unit
    // No over-provisioning: sum of thin device sizes <= (data size - reserve) * overprovision_ratio.
    uint64_t reserve_bytes = 0;
    unsigned reserve_percent = 0;    // used when reserve was given as "N%"
    double overprovision_ratio = 1.0;
    unsigned low_water_mark_percent = 90;  // data or metadata use above it refuses new snapshots
    // The SSD cache tier (dm-cache) under the pool's data device; empty cache_device = none.
    std::string cache_device;        // the fast device: cache metadata and cache blocks are carved from it
    std::string cache_mode = "writethrough";  // or "writeback"
    std::string cache_policy = "smq";
    uint64_t cache_block_size = 256 * 1024;   // dm-cache block: 32KiB..1GiB, a multiple of 32KiB

    std::string db_path() const { return root_path + "/metadata.db"; }
    // Where the cache's layout is kept while a cache is attached (activation rebuilds it first).
    std::string cache_state_path() const { return root_path + "/cache.layout"; }
    bool has_cache() const { return !cache_device.empty(); }
    uint64_t reserve_for(uint64_t data_bytes) const {
        return reserve_percent ? data_bytes / 100 * reserve_percent : reserve_bytes;
    }
};

// Reads and checks a config file; every problem names the file and the key.
Config load_config(const std::string& path);
Config parse_config(const std::string& text, const std::string& source);

}  // namespace mogu::snap
