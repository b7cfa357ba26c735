// What `mogu check` needs from mogu-snapshotter's configuration (/etc/mogu/snapshotter.toml,
// see docs/snapshotter.md): the pool's name, the low-water mark and where its database is. Read with toml++, the
// library the snapshotter and the monitor use; keys not needed here are ignored.
#pragma once

#include <optional>
#include <string>

namespace mogu::node {

inline constexpr const char* kSnapshotterConfig = "/etc/mogu/snapshotter.toml";

struct PoolConfig {
    std::string pool_name;
    unsigned low_water_mark_percent = 90;  // the snapshotter's default
    std::string root_path = "/var/lib/mogu-snapshotter";  // metadata.db lives here
    std::string source;
};

// nullopt when the file does not exist; throws Error naming the file and key when it is broken.
std::optional<PoolConfig> read_pool_config(const std::string& path);

}  // namespace mogu::node
