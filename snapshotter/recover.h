// Offline recovery: with containerd and the daemon stopped, and even with the metadata database
// lost, activate one thin device read-only under a temporary name and mount it, so a container's
// files can be copied out; --release undoes it.
#pragma once

#include "snapshotter/config.h"
#include "snapshotter/thin_pool.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mogu::snap {

struct RecoverTarget {
    std::string key;                   // looked up in the database
    std::optional<uint32_t> device_id; // or given directly (database lost)
    std::string mount_dir;
};

struct RecoverEntry {
    ThinRecord record;
    std::string key;   // from the database when it has a row; else empty
    std::string kind;
};

// Every thin device in the pool's metadata, with the database's key beside it where known.
std::vector<RecoverEntry> recover_list(const Config& c);
// Returns the device path that was mounted.
std::string recover_mount(const Config& c, const RecoverTarget& t);
void recover_release(const Config& c, const std::string& mount_dir);

}  // namespace mogu::snap
