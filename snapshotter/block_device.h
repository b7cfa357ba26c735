// The block devices under the pool and its cache: checking a configured device, superblock magic
// and wiping, device numbers for dm tables and back. Files count as devices (through loop devices).
#pragma once

#include "snapshotter/config.h"

#include <cstdint>
#include <string>

namespace mogu::snap {

struct DevCheck {
    std::string path;
    bool is_file = false;
    uint64_t bytes = 0;
};

// Checks a configured device (exists, not in use, a block device or a file) and returns its size;
// names the config key on every problem.
DevCheck check_device(const Config& c, const char* key, const std::string& path);

constexpr uint64_t kThinMagic = 27022010;   // thin_disk_superblock.magic, at byte 32 of block 0
constexpr uint64_t kCacheMagic = 06142003;  // cache_disk_superblock.magic: octal, written as the kernel does
// Whether the 64-bit magic at byte 32 of `path` is `magic` (thin-pool and dm-cache superblocks).
bool has_superblock(const std::string& path, uint64_t magic);
// Zeroes the first 4 KiB (a thin-pool or dm-cache superblock: the kernel formats anew).
void zero_superblock(const std::string& path);

// Bytes of a block device.
uint64_t block_device_bytes(const std::string& path);
// "major:minor" of a block device node, as a dm table wants it.
std::string dev_t_of(const std::string& path);
// "/dev/<name>" of a "major:minor" (no udev: read the kernel's name from sysfs).
std::string node_of(const std::string& majmin);
// The filesystem (or other signature) blkid finds on `path`, "" when none.
std::string signature_on(const std::string& path);

}  // namespace mogu::snap
