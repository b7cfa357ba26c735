#include "runtime/node/host/kernel_config_source.h"

#include "common/error.h"
#include "common/files.h"

#include <errno.h>
#include <zlib.h>

namespace mogu::node {
namespace {

// A gzip or plain file, decompressed (gzread passes plain files through).
std::string read_maybe_gzip(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw SysError(errno ? errno : ENOMEM, "open {}", path);
    std::string out;
    char buf[65536];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    int err = 0;
    std::string why = n < 0 ? gzerror(f, &err) : "";
    gzclose(f);
    if (n < 0) throw Error("read {}: {}", path, why);
    return out;
}

}  // namespace

std::optional<KernelConfigSource> find_kernel_config(const std::string& release, const std::string& explicit_path,
                                                     std::string& looked_at) {
    if (!explicit_path.empty()) {
        if (!path_exists(explicit_path)) throw Error("--kernel-config: {} does not exist", explicit_path);
        return KernelConfigSource{explicit_path, KernelConfig::parse(read_maybe_gzip(explicit_path))};
    }
    const std::string candidates[] = {"/proc/config.gz", "/boot/config-" + release};
    looked_at.clear();
    for (const auto& p : candidates) {
        looked_at += (looked_at.empty() ? "" : ", ") + p;
        if (!path_exists(p)) continue;
        auto config = KernelConfig::parse(read_maybe_gzip(p));
        if (config.size() == 0) continue;  // not a kernel config
        return KernelConfigSource{p, std::move(config)};
    }
    return std::nullopt;
}

}  // namespace mogu::node
