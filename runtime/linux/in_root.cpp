#include "runtime/linux/in_root.h"

#include "common/error.h"
#include "common/strings.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

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
    std::vector<std::string> todo;
    for (auto& c : split(relative(path), '/'))
        if (!c.empty()) todo.push_back(c);
    if (todo.empty()) return open_in_root(root_fd, "");
    // `done` is a path inside root made only of existing directories; each step adds one
    // component. A dangling symlink is followed by hand (its target becomes the rest of the
    // path, still relative to root), so its target is created inside the root, as runc does.
    std::string done;
    UniqueFd current = open_in_root(root_fd, "");
    int links = 0;
    for (size_t i = 0; i < todo.size(); ++i) {
        const std::string& name = todo[i];
        bool last = i + 1 == todo.size();
        std::string next = done.empty() ? name : done + "/" + name;
        int fd = openat2_in_root(root_fd, next, 0);
        if (fd < 0 && errno == ENOENT && name != "..") {
            char target[4096];
            ssize_t n = ::readlinkat(current.get(), name.c_str(), target, sizeof target - 1);
            if (n > 0) {
                if (++links > 40) throw SysError(ELOOP, "resolve {} inside the container's root", path);
                target[n] = '\0';
                std::vector<std::string> rest;
                for (auto& c : split(target, '/'))
                    if (!c.empty() && c != ".") rest.push_back(c);
                rest.insert(rest.end(), todo.begin() + static_cast<long>(i) + 1, todo.end());
                if (target[0] == '/') done.clear();
                todo = std::move(rest);
                current = done.empty() ? open_in_root(root_fd, "") : open_in_root(root_fd, done);
                i = static_cast<size_t>(-1);
                continue;
            }
            if (last && kind == NodeKind::file) {
                int f = ::openat(current.get(), name.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (f < 0 && errno != EEXIST) throw SysError(errno, "create {} inside the container's root", next);
                if (f >= 0) ::close(f);
            } else if (::mkdirat(current.get(), name.c_str(), mode) < 0 && errno != EEXIST) {
                throw SysError(errno, "mkdir {} inside the container's root", next);
            }
            fd = openat2_in_root(root_fd, next, 0);
        }
        if (fd < 0) throw SysError(errno, "resolve {} inside the container's root", next);
        current.reset(fd);
        // ".." and symlinks are resolved by the kernel; keep `done` as what the kernel resolved to
        // is not needed: further lookups go through `next`, which resolves the same way.
        done = next;
    }
    return current;
}

}  // namespace mogu::runtime
