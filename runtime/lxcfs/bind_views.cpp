#include "common/error.h"
#include "common/log.h"
#include "runtime/linux/in_root.h"
#include "runtime/lxcfs/lxcfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

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

UniqueFd detached_view(const std::string& source) {
    UniqueFd tree(static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)));
    if (!tree) throw SysError(errno, "open_tree {}", source);
    struct mount_attr attr = {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
        throw SysError(errno, "make the copy of {} read-only", source);
    return tree;
}

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
        std::string what = fmt::format("{} view of {}", kAnnotation, in_container);
        // One read-only copy attached onto the file already opened: no second lookup, no remount.
        UniqueFd view;
        try {
            view = detached_view(source);
        } catch (const SysError& e) {
            throw Error("{}: {}", what, e.what());
        }
        if (::syscall(SYS_move_mount, view.get(), "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
            throw SysError(errno, "{}: attach it over {}", what, in_container);
        bound.push_back(file);
    }
    log::debug("lxcfs: {} views from {} bound", bound.size(), views.mount_point);
    return bound;
}

}  // namespace mogu::runtime::lxcfs
