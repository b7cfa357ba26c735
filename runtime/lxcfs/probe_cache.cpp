// What an LXCFS instance serves, remembered for a while per instance.
//
// Probing costs five FUSE round trips (statfs, opendir, two readdirs, releasedir), each a
// wake-up of LXCFS: more than half of what the views add to a create. A burst of creates asks
// the same LXCFS the same question, so the answer is kept in the state root, tied to the mount
// it came from (device and mount id, the kernel's never-reused mount id where it has one) and
// trusted for kCacheSeconds. A restarted LXCFS is a new mount, so it is probed afresh; a dead
// one fails the statx that names the mount and is probed (and reported) as before.
#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "runtime/lxcfs/lxcfs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <sstream>

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif

namespace mogu::runtime::lxcfs {
namespace {

constexpr const char* kCacheHeader = "mogu lxcfs probe 1";
constexpr time_t kCacheSeconds = 60;

// "dev 0:41 mnt 1234": the mount LXCFS serves from, as the kernel names it now; nullopt when
// the mount point cannot be looked at (a dead LXCFS answers ENOTCONN).
std::optional<std::string> mount_identity(const std::string& mount_point) {
    struct statx stx = {};
    if (::statx(AT_FDCWD, mount_point.c_str(), 0, STATX_BASIC_STATS | STATX_MNT_ID | STATX_MNT_ID_UNIQUE, &stx) < 0) return std::nullopt;
    if (!(stx.stx_mask & (STATX_MNT_ID | STATX_MNT_ID_UNIQUE))) return std::nullopt;
    return fmt::format("dev {}:{} mnt {}{}", stx.stx_dev_major, stx.stx_dev_minor,
                       stx.stx_mask & STATX_MNT_ID_UNIQUE ? "u" : "", stx.stx_mnt_id);
}

std::string cache_text(const Views& v, const std::string& identity) {
    std::string text = fmt::format("{}\n{}\n{}\n", kCacheHeader, v.mount_point, identity);
    for (const auto& f : v.files) text += f + "\n";
    return text;
}

std::optional<Views> read_cache(const std::string& path, const std::string& mount_point, const std::string& identity) {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return std::nullopt;
    if (std::time(nullptr) - st.st_mtime >= kCacheSeconds) return std::nullopt;
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(path);
    } catch (const Error&) {
        return std::nullopt;
    }
    if (!text) return std::nullopt;
    std::istringstream in(*text);
    std::string header, point, id, file;
    if (!std::getline(in, header) || header != kCacheHeader) return std::nullopt;
    if (!std::getline(in, point) || point != mount_point) return std::nullopt;
    if (!std::getline(in, id) || id != identity) return std::nullopt;
    Views v;
    v.mount_point = mount_point;
    while (std::getline(in, file))
        if (!file.empty()) v.files.push_back(file);
    if (v.files.empty()) return std::nullopt;
    return v;
}

}  // namespace

std::optional<Views> probe_cached(const std::string& mount_point, const std::string& cache_dir, std::string& why) {
    std::optional<std::string> identity = mount_identity(mount_point);
    std::string path = cache_dir + "/" + kProbeCacheName;
    if (identity)
        if (auto cached = read_cache(path, mount_point, *identity)) return cached;
    std::optional<Views> v = probe(mount_point, why);
    if (!v || !identity) return v;
    try {
        write_file_atomic(path, cache_text(*v, *identity), 0600);
    } catch (const Error& e) {
        log::debug("lxcfs: the probe is not remembered: {}", e.what());  // the next create probes again
    }
    return v;
}

}  // namespace mogu::runtime::lxcfs
