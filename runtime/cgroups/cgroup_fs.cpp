#include "runtime/cgroups/cgroup_fs.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/strings.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace mogu::cgroups::fs {
namespace {

std::string join(const std::string& dir, const std::string& file) { return dir + "/" + file; }

std::optional<std::string> read_path(const std::string& path, bool missing_ok, Records records) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (missing_ok && errno == ENOENT) return std::nullopt;
        throw SysError(errno, "read {}", path);
    }
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw SysError(errno, "read {}", path);
        }
        if (n == 0) return out;
        out.append(buf, static_cast<size_t>(n));
        if (records == Records::one && static_cast<size_t>(n) < sizeof buf) return out;
    }
}

// Subdirectories of `dir` (child cgroups); a vanished dir has none.
std::vector<std::string> child_dirs(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno == ENOENT) return out;
        throw SysError(errno, "open directory {}", dir);
    }
    while (auto* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        if (e->d_type == DT_DIR) out.push_back(join(dir, name));
    }
    ::closedir(d);
    return out;
}

// rmdir, retrying EBUSY for a short while: the last processes may still be exiting.
int rmdir_retrying(const std::string& dir) {
    auto delay = std::chrono::milliseconds(5);
    for (int attempt = 0;; ++attempt) {
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return 0;
        if (errno != EBUSY || attempt == 6) return errno;
        std::this_thread::sleep_for(delay);
        delay *= 2;
    }
}

}  // namespace

int try_write(const std::string& dir, const std::string& file, std::string_view value) {
    std::string path = join(dir, file);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return errno;
    ssize_t n;
    do n = ::write(fd.get(), value.data(), value.size());
    while (n < 0 && errno == EINTR);
    return n < 0 ? errno : 0;
}

void write(const std::string& dir, const std::string& file, std::string_view value) {
    if (int err = try_write(dir, file, value)) throw SysError(err, "write \"{}\" to {}", value, join(dir, file));
}

std::string read(const std::string& dir, const std::string& file, Records records) { return *read_path(join(dir, file), false, records); }

std::optional<std::string> read_if_exists(const std::string& dir, const std::string& file, Records records) {
    return read_path(join(dir, file), true, records);
}

bool exists(const std::string& dir, const std::string& file) { return ::access(join(dir, file).c_str(), F_OK) == 0; }

uint64_t parse_u64(const std::string& text, const std::string& where) {
    auto t = trim(text);
    if (t == "max") return UINT64_MAX;
    if (auto v = parse_uint(t)) return *v;
    // v1 reports "-1" style values as large numbers, but some knobs (cpu.cfs_quota_us) print -1.
    if (auto v = parse_int(t); v && *v < 0) return UINT64_MAX;
    throw Error("{}: expected a number, found \"{}\"", where, std::string(t));
}

uint64_t read_u64(const std::string& dir, const std::string& file) {
    return parse_u64(read(dir, file, Records::one), join(dir, file));
}

std::map<std::string, uint64_t> parse_keyed(const std::string& text) {
    std::map<std::string, uint64_t> out;
    for (auto& line : split(text, '\n')) {
        auto sp = line.find(' ');
        if (sp == std::string::npos) continue;
        if (auto v = parse_uint(trim(std::string_view(line).substr(sp + 1)))) out[line.substr(0, sp)] = *v;
    }
    return out;
}

std::map<std::string, uint64_t> read_keyed(const std::string& dir, const std::string& file) {
    return parse_keyed(read(dir, file, Records::one));
}

std::vector<std::string> make_dirs(const std::string& mount_point, const std::string& cgroup) {
    std::vector<std::string> made;
    std::string cur = mount_point;
    try {
        for (auto& part : split(cgroup, '/')) {
            if (part.empty()) continue;
            cur += "/" + part;
            if (::mkdir(cur.c_str(), 0755) == 0) made.push_back(cur);
            else if (errno != EEXIST) throw SysError(errno, "mkdir {}", cur);
        }
    } catch (...) {
        remove_made_dirs(made, cur);
        throw;
    }
    return made;
}

void remove_made_dirs(const std::vector<std::string>& made, const std::string& leaf) noexcept {
    for (auto it = made.rbegin(); it != made.rend(); ++it) {
        try {
            // The container's own directory goes with whatever was made below it; a parent we
            // made may meanwhile hold another container's cgroup, so it goes only when empty.
            if (*it == leaf) remove_tree(*it);
            else ::rmdir(it->c_str());
        } catch (...) {
            // Best effort: this runs while unwinding another error.
        }
    }
}

void remove_tree(const std::string& dir) {
    for (auto& child : child_dirs(dir)) remove_tree(child);
    if (int err = rmdir_retrying(dir)) throw SysError(err, "rmdir {}", dir);
}

void write_self_task(const std::string& dir) { write(dir, "tasks", "0"); }

void write_pid(const std::string& dir, pid_t pid) {
    std::string value = std::to_string(pid);
    for (int attempt = 0;; ++attempt) {
        int err = try_write(dir, "cgroup.procs", value);
        if (!err) return;
        if (err != EINVAL || attempt == 4) throw SysError(err, "write \"{}\" to {}/cgroup.procs", value, dir);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

std::vector<pid_t> procs_recursive(const std::string& dir) {
    std::vector<pid_t> out;
    auto text = read_path(join(dir, "cgroup.procs"), true, Records::many);
    if (!text) return out;
    for (auto& line : split(*text, '\n'))
        if (auto v = parse_int(line); v && *v > 0) out.push_back(static_cast<pid_t>(*v));
    for (auto& child : child_dirs(dir)) {
        auto more = procs_recursive(child);
        out.insert(out.end(), more.begin(), more.end());
    }
    return out;
}

}  // namespace mogu::cgroups::fs
