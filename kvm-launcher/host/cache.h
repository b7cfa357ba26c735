// The cache mogu-vm shares with the guest-test harness (tests/vm): the uncompressed kernel, the
// KVM probe's verdict per kernel, and mogu-vm's initramfs. Files appear whole (written under a
// temporary name, then renamed), so concurrent creates never read half a file.
#pragma once

#include <string>
#include <string_view>

namespace mogu::vm {

// $MOGU_VM_CACHE, else /var/tmp/mogu-vm (the harness's default too). Created when missing.
std::string cache_dir();
// Writes `data` to <cache>/<name> atomically.
void cache_put(const std::string& path, std::string_view data);
// Hex SHA-256 of some bytes (cache keys).
std::string sha256_hex(std::string_view data);

}  // namespace mogu::vm
