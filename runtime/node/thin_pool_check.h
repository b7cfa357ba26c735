// What `mogu check` says about mogu-snapshotter's thin pool, from the pool's device-mapper table
// and status and the sizes of the thin devices made from it.
#pragma once

#include "runtime/node/finding.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mogu::node {

struct ThinPoolState {
    std::string name;
    std::string table;               // "<meta dev> <data dev> <block sectors> <low water blocks> [<n> <features>...]"
    std::string status;              // "<transaction> <used>/<total> meta <used>/<total> data <held root> <mode> ..." or "Fail"
    uint64_t provisioned_sectors = 0;  // sum of the active thin devices' sizes on this pool
    size_t thin_devices = 0;
    // What mogu-snapshotter's database commits (every device, active or not, and the base
    // device); nullopt when there is no database to read.
    std::optional<uint64_t> committed_bytes;
    size_t committed_devices = 0;
    unsigned low_water_mark_percent = 90;  // the snapshotter's: above it new snapshots are refused
};

// Findings for the pool: its mode, ignore_discard, over-provisioning, data and metadata use
// against the low-water mark. A table or status that does not parse is one FAIL line.
void evaluate_thin_pool(const ThinPoolState& pool, Report& report);

}  // namespace mogu::node
