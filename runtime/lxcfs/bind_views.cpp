#include "common/error.h"
#include "common/log.h"
#include "runtime/linux/in_root.h"
#include "runtime/linux/mounts.h"
#include "runtime/lxcfs/lxcfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>

namespace mogu::runtime::lxcfs {
namespace {

// The filesystem a view belongs over: a proc view over the container's procfs, a sys view over
// its sysfs. A /proc that is something else (a bind of the host's, a tmpfs) is not touched.
bool lands_on_its_filesystem(int fd, const std::string& file) {
    struct statfs fs;
    if (::fstatfs(fd, &fs) < 0) return false;
    if (file.starts_with("proc/")) return fs.f_type == PROC_SUPER_MAGIC;
    if (file.starts_with("sys/")) return fs.f_type == SYSFS_MAGIC;
    return false;
}

}  // namespace

std::vector<std::string> bind_views(int root_fd, const Views& views, const std::map<size_t, int>& opened) {
    std::vector<std::string> bound;
    for (size_t i = 0; i < views.files.size(); ++i) {
        const std::string& file = views.files[i];
        std::string in_container = "/" + file;
        UniqueFd target = try_open_in_root(root_fd, in_container, O_NOFOLLOW);
        if (!target || !lands_on_its_filesystem(target.get(), file)) {
            log::debug("lxcfs: {} is not the kernel's in this container: not replaced", in_container);
            continue;
        }
        auto given = opened.find(i);
        std::string source = given != opened.end() ? fd_path(given->second) : views.mount_point + "/" + file;
        bind_read_only(root_fd, source, in_container, fmt::format("{} view of {}", kAnnotation, in_container));
        bound.push_back(file);
    }
    log::debug("lxcfs: {} views from {} bound", bound.size(), views.mount_point);
    return bound;
}

}  // namespace mogu::runtime::lxcfs
