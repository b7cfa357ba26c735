#include "runtime/criu/request.h"

#include "common/error.h"
#include "common/files.h"
#include "common/strings.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string_view>
#include <deque>
#include <sstream>

namespace mogu::runtime::criu {
namespace {

std::string absolute(const std::string& path) {
    if (!path.empty() && path[0] == '/') return path;
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) throw SysError(errno, "getcwd");
    return path_join(cwd, path);
}

UniqueFd open_dir(const std::string& path, const char* what) {
    UniqueFd fd(::open(path.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "{} {}", what, path);
    return fd;
}

rpc::criu_cg_mode cgroups_mode(const std::string& name) {
    if (name == "soft") return rpc::SOFT;
    if (name == "full") return rpc::FULL;
    if (name == "strict") return rpc::STRICT;
    if (name == "ignore") return rpc::IGNORE;
    throw UsageError("--manage-cgroups-mode: \"{}\" is not one of soft, full, strict, ignore", name);
}

uint32_t namespace_flag(const std::string& name) {
    // runc's names (configs.NsName). criu only leaves a network namespace empty today.
    if (name == "network") return CLONE_NEWNET;
    if (name == "mount" || name == "pid" || name == "ipc" || name == "uts" || name == "user" || name == "cgroup")
        throw UsageError("--empty-ns: criu can leave only the network namespace empty, not \"{}\"", name);
    throw UsageError("--empty-ns: unknown namespace \"{}\"", name);
}

// The last lines criu marked "Error" in its log: the reason, where criu's answer has none.
std::string log_errors(const std::string& log_path) {
    auto text = read_file_if_exists(log_path);
    if (!text) return "";
    std::deque<std::string> last;
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);)
        if (line.find("Error (") != std::string::npos) {
            if (auto p = line.find(") Error ("); p != std::string::npos && line[0] == '(') line = line.substr(p + 2);
            last.push_back(line);
            if (last.size() > 3) last.pop_front();
        }
    return join(std::vector<std::string>(last.begin(), last.end()), "; ");
}

}  // namespace

Directories open_directories(const CriuOptions& o, bool create) {
    Directories d;
    d.images = absolute(o.image_path.empty() ? "checkpoint" : o.image_path);
    d.work = o.work_path.empty() ? d.images : absolute(o.work_path);
    if (create) {
        mkdir_p(d.images, 0700);
        if (d.work != d.images) mkdir_p(d.work, 0700);
    }
    d.images_fd = open_dir(d.images, "checkpoint image directory");
    d.work_fd = d.work == d.images ? UniqueFd(::fcntl(d.images_fd.get(), F_DUPFD_CLOEXEC, 3)) : open_dir(d.work, "criu work directory");
    if (!d.work_fd) throw SysError(errno, "dup the image directory's fd");
    return d;
}

void refuse_unsupported(const CriuOptions& o, const char* verb) {
    // A dump sends its pages to a page server (checkpoint.cpp); a restore has nothing to send.
    if (!o.page_server.empty() && std::string_view(verb) != "checkpoint") throw Error("{} --page-server is not supported by mogu", verb);
    if (o.status_fd >= 0) {
        // runc: the fd must be open for writing; criu only uses it with --lazy-pages.
        int flags = ::fcntl(o.status_fd, F_GETFL);
        if (flags < 0) throw SysError(errno, "--status-fd {}", o.status_fd);
        if ((flags & O_ACCMODE) == O_RDONLY) throw Error("--status-fd {}: not open for writing", o.status_fd);
    }
    for (const auto& ns : o.empty_ns) namespace_flag(ns);
    if (!o.manage_cgroups_mode.empty()) cgroups_mode(o.manage_cgroups_mode);
}

void fill_common(rpc::criu_opts& opts, const CriuOptions& o, const Directories& dirs, const char* log_file) {
    opts.set_images_dir_fd(dirs.images_fd.get());
    opts.set_work_dir_fd(dirs.work_fd.get());
    opts.set_log_level(4);
    opts.set_log_file(log_file);
    opts.set_notify_scripts(true);
    opts.set_orphan_pts_master(true);
    opts.set_shell_job(o.shell_job);
    opts.set_ext_unix_sk(o.ext_unix_sk);
    opts.set_tcp_established(o.tcp_established);
    opts.set_file_locks(o.file_locks);
    opts.set_auto_dedup(o.auto_dedup);
    uint32_t empty = 0;
    for (const auto& ns : o.empty_ns) empty |= namespace_flag(ns);
    if (empty) opts.set_empty_ns(empty);
    if (o.manage_cgroups_mode.empty()) {
        opts.set_manage_cgroups(true);
    } else {
        rpc::criu_cg_mode mode = cgroups_mode(o.manage_cgroups_mode);
        opts.set_manage_cgroups(mode != rpc::IGNORE);
        opts.set_manage_cgroups_mode(mode);
    }
}

void throw_criu_failure(const rpc::criu_resp& resp, const char* what, const std::string& log_path) {
    std::string reason = log_errors(log_path);
    if (reason.empty() && resp.has_cr_errmsg()) reason = resp.cr_errmsg();
    if (reason.empty() && resp.cr_errno()) reason = std::strerror(resp.cr_errno());
    if (reason.empty()) reason = "no reason given";
    throw Error("criu {} failed: {} (criu's log: {})", what, reason, log_path);
}

}  // namespace mogu::runtime::criu
