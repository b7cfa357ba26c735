#include "runtime/linux/in_root.h"

#include "common/error.h"
#include "common/strings.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {
namespace {

int openat2_in_root(int root_fd, const std::string& rel, int flags) {
    struct open_how how = {};
    how.flags = static_cast<uint64_t>(O_PATH | O_CLOEXEC | flags);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd;
    do fd = static_cast<int>(::syscall(SYS_openat2, root_fd, rel.empty() ? "." : rel.c_str(), &how, sizeof how));
    while (fd < 0 && errno == EAGAIN);
    return fd;
}

std::string relative(std::string_view path) {
    std::string out;
    for (const auto& c : split(path, '/')) {
        if (c.empty() || c == ".") continue;
        if (!out.empty()) out += '/';
        out += c;
    }
    return out;
}

}  // namespace

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

UniqueFd try_open_in_root(int root_fd, std::string_view path, int extra_flags) {
    int fd = openat2_in_root(root_fd, relative(path), extra_flags);
    if (fd < 0) {
        if (errno == ENOENT) return UniqueFd();
        throw SysError(errno, "resolve {} inside the container's root", path);
    }
    return UniqueFd(fd);
}

UniqueFd open_in_root(int root_fd, std::string_view path, int extra_flags) {
    int fd = openat2_in_root(root_fd, relative(path), extra_flags);
    if (fd < 0) throw SysError(errno, "resolve {} inside the container's root", path);
    return UniqueFd(fd);
}

UniqueFd make_in_root(int root_fd, std::string_view path, NodeKind kind, mode_t mode) {
    auto comps = split(relative(path), '/');
    if (comps.size() == 1 && comps[0].empty()) return open_in_root(root_fd, "");
    UniqueFd parent = open_in_root(root_fd, "");
    std::string prefix;
    for (size_t i = 0; i < comps.size(); ++i) {
        const std::string& name = comps[i];
        bool last = i + 1 == comps.size();
        prefix += (prefix.empty() ? "" : "/") + name;
        int fd = openat2_in_root(root_fd, prefix, 0);
        if (fd < 0 && errno == ENOENT && name != "..") {
            if (last && kind == NodeKind::file) {
                int f = ::openat(parent.get(), name.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (f < 0 && errno != EEXIST) throw SysError(errno, "create {} inside the container's root", prefix);
                if (f >= 0) ::close(f);
            } else if (::mkdirat(parent.get(), name.c_str(), mode) < 0 && errno != EEXIST) {
                throw SysError(errno, "mkdir {} inside the container's root", prefix);
            }
            fd = openat2_in_root(root_fd, prefix, 0);
            if (fd < 0 && errno == ENOENT)
                throw Error("create {} inside the container's root: it is a symlink to a missing target", prefix);
        }
        if (fd < 0) throw SysError(errno, "resolve {} inside the container's root", prefix);
        parent.reset(fd);
    }
    return parent;
}

}  // namespace mogu::runtime
