// What mogu-snapshotter's SQLite database (<root_path>/metadata.db) commits of its pool: the
// sum of every snapshot's device size plus the base device, as the snapshotter's own
// no-over-provisioning rule counts it (snapshotter/snapshotter.cpp, capacity()). Opened
// read-only: a running snapshotter is not disturbed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mogu::node {

struct Committed {
    uint64_t bytes = 0;
    size_t devices = 0;
};

// nullopt when the database does not exist; throws Error naming the file when it cannot be read.
std::optional<Committed> read_committed(const std::string& db_path);

}  // namespace mogu::node
