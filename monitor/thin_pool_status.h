// The snapshotter's thin pool, as the kernel reports it. mogu-snapshotter has no status RPC (its
// socket serves containerd's Snapshots API only) and `mogu-snapshotter pool status` is a CLI: a
// process, its config and its SQLite database per look. What that CLI prints about data and
// metadata use comes from the thin-pool's device-mapper status, so the monitor asks the kernel for
// the same line with the DM_TABLE_STATUS ioctl on /dev/mapper/control: no process, no library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mogu::monitor {

struct ThinPoolFigures {
    uint64_t used_data_blocks = 0, total_data_blocks = 0;
    uint64_t data_block_bytes = 0;                         // from the table's <data block size> (sectors)
    uint64_t used_metadata_blocks = 0, total_metadata_blocks = 0;  // 4 KiB blocks
    std::string mode;                                      // rw, ro, out_of_data_space, Fail
    bool needs_check = false;

    static constexpr uint64_t kMetadataBlockBytes = 4096;
};

// status: "<transaction> <used>/<total meta> <used>/<total data> <held root> <mode> ..." or "Fail";
// table: "<meta dev> <data dev> <data block sectors> <low water mark> [features]". nullopt when
// either does not parse.
std::optional<ThinPoolFigures> parse_thin_pool(const std::string& status, const std::string& table);

// The pool's figures by its device-mapper name; nullopt with `why` when there is no such pool,
// no device-mapper, or the device is not a thin-pool.
std::optional<ThinPoolFigures> read_thin_pool(const std::string& name, std::string& why);

}  // namespace mogu::monitor
