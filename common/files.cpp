#include "common/files.h"

#include "common/error.h"
#include "common/fd.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace mogu {
namespace {

std::string read_all(int fd, const std::string& path) {
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw SysError(errno, "read {}", path);
        }
        if (n == 0) return out;
        out.append(buf, static_cast<size_t>(n));
    }
}

void write_all(int fd, std::string_view data, const std::string& path) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw SysError(errno, "write {}", path);
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
}

}  // namespace

std::string read_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "open {}", path);
    return read_all(fd.get(), path);
}

std::optional<std::string> read_file_if_exists(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        throw SysError(errno, "open {}", path);
    }
    return read_all(fd.get(), path);
}

void write_file(const std::string& path, std::string_view data, mode_t mode) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) throw SysError(errno, "open {}", path);
    write_all(fd.get(), data, path);
}

void write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
    // Unique per writer: two processes replacing the same file must not write into one temporary.
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (!fd) throw SysError(errno, "open {}", tmp);
        write_all(fd.get(), data, tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) < 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw SysError(err, "rename {} to {}", tmp, path);
    }
}

void write_existing(const std::string& path, std::string_view data) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "open {}", path);
    ssize_t n;
    do n = ::write(fd.get(), data.data(), data.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) throw SysError(errno, "write \"{}\" to {}", data, path);
}

void mkdir_p(const std::string& path, mode_t mode) {
    if (path.empty()) return;
    std::string cur;
    size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        cur = path.substr(0, pos);
        if (cur.empty() || cur == "/") continue;
        if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST) throw SysError(errno, "mkdir {}", cur);
    }
}

bool path_exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

void remove_tree(const std::string& path) {
    auto rm = [](const char* p, const struct stat*, int, struct FTW*) -> int { return ::remove(p) < 0 && errno != ENOENT ? -1 : 0; };
    if (::nftw(path.c_str(), rm, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT) throw SysError(errno, "remove {}", path);
}

std::string path_join(std::string_view a, std::string_view b) {
    std::string out(a);
    while (!b.empty() && b.front() == '/') b.remove_prefix(1);
    if (out.empty() || out.back() != '/') out += '/';
    out += b;
    return out;
}

std::string dirname_of(const std::string& path) {
    auto pos = path.find_last_of('/');
    if (pos == std::string::npos) return ".";
    if (pos == 0) return "/";
    return path.substr(0, pos);
}

std::string basename_of(const std::string& path) {
    auto pos = path.find_last_of('/');
    return pos == std::string::npos ? path : path.substr(pos + 1);
}

std::string find_executable(const std::string& name) {
    if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
    const char* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    while (!dirs.empty()) {
        auto colon = dirs.find(':');
        std::string_view dir = dirs.substr(0, colon);
        dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
        if (dir.empty()) continue;
        std::string candidate = path_join(dir, name);
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

}  // namespace mogu
