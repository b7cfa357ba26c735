#include "common/error.h"
#include "common/log.h"
#include "runtime/lxcfs/lxcfs.h"

#include <dirent.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mogu::runtime::lxcfs {
namespace {

constexpr long kFuseSuperMagic = 0x65735546;

// Regular files below dir (relative names), depth first.
void collect_files(const std::string& root, const std::string& rel, std::vector<std::string>& out) {
    DIR* d = ::opendir((root + "/" + rel).c_str());
    if (!d) return;
    while (struct dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        std::string child = rel + "/" + name;
        struct stat st;
        if (::stat((root + "/" + child).c_str(), &st) < 0) continue;
        if (S_ISDIR(st.st_mode)) collect_files(root, child, out);
        else if (S_ISREG(st.st_mode)) out.push_back(child);
    }
    ::closedir(d);
}

}  // namespace

std::optional<Views> probe(const std::string& mount_point, std::string& why) {
    struct statfs fs;
    if (::statfs(mount_point.c_str(), &fs) < 0) {
        why = errno == ENOTCONN ? fmt::format("LXCFS at {} does not answer ({}): it died and must be restarted", mount_point, std::strerror(errno))
                                : fmt::format("{}: {}", mount_point, std::strerror(errno));
        return std::nullopt;
    }
    if (fs.f_type != kFuseSuperMagic) {
        why = fmt::format("nothing is mounted at {} (LXCFS is not running there)", mount_point);
        return std::nullopt;
    }
    Views v;
    v.mount_point = mount_point;
    // Everything under proc/ is a per-container view. Under sys/ LXCFS passes most of the host's
    // sysfs through (about a hundred files under devices/system/cpu), which would be mounts for
    // nothing: only the files it computes per container count, where it answers for them.
    collect_files(mount_point, "proc", v.files);
    for (const char* computed : {"sys/devices/system/cpu/online"}) {
        struct stat st;
        if (::stat((mount_point + "/" + computed).c_str(), &st) == 0 && S_ISREG(st.st_mode)) v.files.push_back(computed);
    }
    if (v.files.empty()) {
        why = fmt::format("the FUSE filesystem at {} serves no /proc or /sys files: is it LXCFS?", mount_point);
        return std::nullopt;
    }
    std::sort(v.files.begin(), v.files.end());
    return v;
}

std::optional<Views> views_for_create(Mode mode, const std::string& mount_point, const std::string& cache_dir) {
    if (mode == Mode::off) return std::nullopt;
    std::string why;
    if (auto views = probe_cached(mount_point, cache_dir, why)) return views;
    if (mode == Mode::required)
        throw Error("{} is \"required\", but LXCFS cannot serve the container's views: {}", kAnnotation, why);
    log::warn("{}: {}; the container sees the host's /proc", kAnnotation, why);
    return std::nullopt;
}

}  // namespace mogu::runtime::lxcfs
