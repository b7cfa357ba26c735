#include "runtime/linux/copy_tree.h"

#include "common/error.h"
#include "common/fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mogu::runtime {
namespace {

struct Copier {
    int dst_root;
    // Files with several links: (dev, ino) -> path of the first copy, relative to dst_root.
    std::map<std::pair<dev_t, ino_t>, std::string> linked;

    void copy_dir(int src, int dst, const std::string& rel);
    void copy_entry(int src, int dst, const std::string& name, const std::string& rel);
};

std::vector<std::string> entry_names(int dir, const std::string& rel) {
    int fd = ::dup(dir);
    if (fd < 0) throw SysError(errno, "tmpcopyup: dup the directory fd of {}", rel);
    DIR* d = ::fdopendir(fd);
    if (!d) {
        ::close(fd);
        throw SysError(errno, "tmpcopyup: read directory {}", rel);
    }
    ::rewinddir(d);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    int err = errno;
    ::closedir(d);
    if (err) throw SysError(err, "tmpcopyup: read directory {}", rel);
    return names;
}

// Extended attributes, best effort: tmpfs takes security.*, trusted.* and (6.6+) user.*.
void copy_xattrs(int src, int dst) {
    ssize_t n = ::flistxattr(src, nullptr, 0);
    if (n <= 0) return;
    std::string names(static_cast<size_t>(n), '\0');
    n = ::flistxattr(src, names.data(), names.size());
    if (n <= 0) return;
    for (size_t i = 0; i < static_cast<size_t>(n); i += std::char_traits<char>::length(names.c_str() + i) + 1) {
        const char* name = names.c_str() + i;
        ssize_t len = ::fgetxattr(src, name, nullptr, 0);
        if (len < 0) continue;
        std::string value(static_cast<size_t>(len), '\0');
        len = ::fgetxattr(src, name, value.data(), value.size());
        if (len >= 0) ::fsetxattr(dst, name, value.data(), static_cast<size_t>(len), 0);
    }
}

// Owner before mode: chown clears the set-id bits.
void copy_metadata(int dst, const struct stat& st, const std::string& rel) {
    if (::fchown(dst, st.st_uid, st.st_gid) < 0) throw SysError(errno, "tmpcopyup: chown {}", rel);
    if (::fchmod(dst, st.st_mode & 07777) < 0) throw SysError(errno, "tmpcopyup: chmod {}", rel);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (::futimens(dst, times) < 0) throw SysError(errno, "tmpcopyup: set the times of {}", rel);
}

void copy_file_data(int src, int dst, off_t size, const std::string& rel) {
    off_t offset = 0;
    while (offset < size) {
        ssize_t n = ::sendfile(dst, src, &offset, static_cast<size_t>(size - offset));
        if (n < 0) throw SysError(errno, "tmpcopyup: copy {}", rel);
        if (n == 0) break;  // the file shrank while we copied
    }
}

void Copier::copy_entry(int src, int dst, const std::string& name, const std::string& rel) {
    struct stat st;
    if (::fstatat(src, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw SysError(errno, "tmpcopyup: stat {}", rel);
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
        auto [it, first] = linked.emplace(std::make_pair(st.st_dev, st.st_ino), rel);
        if (!first) {
            if (::linkat(dst_root, it->second.c_str(), dst, name.c_str(), 0) < 0) throw SysError(errno, "tmpcopyup: link {}", rel);
            return;
        }
    }
    switch (st.st_mode & S_IFMT) {
        case S_IFDIR: {
            if (::mkdirat(dst, name.c_str(), 0700) < 0) throw SysError(errno, "tmpcopyup: mkdir {}", rel);
            UniqueFd s(::openat(src, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            UniqueFd d(::openat(dst, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!s || !d) throw SysError(errno, "tmpcopyup: open directory {}", rel);
            copy_dir(s.get(), d.get(), rel);
            copy_xattrs(s.get(), d.get());
            copy_metadata(d.get(), st, rel);  // last: copying the contents changed the times
            return;
        }
        case S_IFREG: {
            UniqueFd s(::openat(src, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
            if (!s) throw SysError(errno, "tmpcopyup: open {}", rel);
            UniqueFd d(::openat(dst, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
            if (!d) throw SysError(errno, "tmpcopyup: create {}", rel);
            copy_file_data(s.get(), d.get(), st.st_size, rel);
            copy_xattrs(s.get(), d.get());
            copy_metadata(d.get(), st, rel);
            return;
        }
        case S_IFLNK: {
            std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
            ssize_t n = ::readlinkat(src, name.c_str(), target.data(), target.size());
            if (n < 0) throw SysError(errno, "tmpcopyup: readlink {}", rel);
            target.resize(static_cast<size_t>(n));
            if (::symlinkat(target.c_str(), dst, name.c_str()) < 0) throw SysError(errno, "tmpcopyup: symlink {}", rel);
            if (::fchownat(dst, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) throw SysError(errno, "tmpcopyup: chown {}", rel);
            struct timespec times[2] = {st.st_atim, st.st_mtim};
            ::utimensat(dst, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
            return;
        }
        case S_IFCHR:
        case S_IFBLK:
        case S_IFIFO: {
            if (::mknodat(dst, name.c_str(), st.st_mode, st.st_rdev) < 0) throw SysError(errno, "tmpcopyup: mknod {}", rel);
            if (::fchownat(dst, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) throw SysError(errno, "tmpcopyup: chown {}", rel);
            if (::fchmodat(dst, name.c_str(), st.st_mode & 07777, 0) < 0) throw SysError(errno, "tmpcopyup: chmod {}", rel);
            struct timespec times[2] = {st.st_atim, st.st_mtim};
            ::utimensat(dst, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
            return;
        }
        default:
            return;  // a socket means nothing without the process that bound it
    }
}

void Copier::copy_dir(int src, int dst, const std::string& rel) {
    for (const auto& name : entry_names(src, rel)) copy_entry(src, dst, name, rel.empty() ? name : rel + "/" + name);
}

}  // namespace

void copy_directory_contents(int src_dir, int dst_dir) {
    Copier c{dst_dir, {}};
    c.copy_dir(src_dir, dst_dir, "");
}

}  // namespace mogu::runtime
