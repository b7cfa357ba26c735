#include "kvm-launcher/host/cache.h"

#include "common/error.h"
#include "common/files.h"

#include <sha2.h>

#include <cstdlib>

namespace mogu::vm {

std::string cache_dir() {
    const char* env = getenv("MOGU_VM_CACHE");
    std::string dir = env && *env ? env : "/var/tmp/mogu-vm";
    mkdir_p(dir, 0755);
    return dir;
}

void cache_put(const std::string& path, std::string_view data) { write_file_atomic(path, data, 0644); }

std::string sha256_hex(std::string_view data) {
    char out[SHA256_DIGEST_STRING_LENGTH];
    SHA256Data(reinterpret_cast<const uint8_t*>(data.data()), data.size(), out);
    return out;
}

}  // namespace mogu::vm
