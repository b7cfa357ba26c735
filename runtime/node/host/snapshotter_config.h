// What `mogu check` needs from mogu-snapshotter's configuration (/etc/mogu/snapshotter.toml,
// see docs/snapshotter.md): the pool's name and the low-water mark. Read with toml++, the
// library the snapshotter and the monitor use; keys not needed here are ignored.
#pragma once

#include <optional>
#include <string>

namespace mogu::node {

inline constexpr const char* kSnapshotterConfig = "/etc/mogu/snapshotter.toml";

struct PoolConfig {
    std::string pool_name;
    unsigned low_water_mark_percent = 90;  // the snapshotter's default
    std::string source;
};

// nullopt when the file does not exist; throws Error naming the file and key when it is broken.
std::optional<PoolConfig> read_pool_config(const std::string& path);

}  // namespace mogu::node
