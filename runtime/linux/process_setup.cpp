#include "runtime/linux/process_setup.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mogu::runtime {
namespace {

const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

bool has_var(const std::vector<std::string>& env, std::string_view name) {
    for (const auto& e : env)
        if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') return true;
    return false;
}

std::string home_of(uint32_t uid) {
    auto text = read_file_if_exists("/etc/passwd");
    if (!text) return "/";
    for (const auto& line : split(*text, '\n')) {
        auto f = split(line, ':');
        if (f.size() >= 6 && parse_uint(f[2]) == uid) return f[5].empty() ? "/" : f[5];
    }
    return "/";
}

}  // namespace

std::vector<std::string> process_environment(const oci::Process& p) {
    std::vector<std::string> env = p.env;
    if (!has_var(env, "PATH")) env.emplace_back(kDefaultPath);
    if (!has_var(env, "HOME")) {
        std::string home = "/";
        try {
            home = home_of(p.user.uid);
        } catch (const std::exception&) {
        }
        env.push_back("HOME=" + home);
    }
    return env;
}

std::string find_executable(const std::string& arg0, const std::vector<std::string>& env) {
    auto executable = [](const std::string& p) {
        struct stat st;
        return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
    };
    if (arg0.find('/') != std::string::npos) {
        struct stat st;
        if (::stat(arg0.c_str(), &st) < 0) throw SysError(errno, "exec: \"{}\"", arg0);
        if (S_ISDIR(st.st_mode)) throw Error("exec: \"{}\": is a directory", arg0);
        // As Go's LookPath in runc: a file no one may execute fails here, at create, not at start.
        if (!(st.st_mode & 0111)) throw SysError(EACCES, "exec: \"{}\"", arg0);
        return arg0;
    }
    std::string path = kDefaultPath + 5;
    for (const auto& e : env)
        if (e.starts_with("PATH=")) path = e.substr(5);
    for (const auto& dir : split(path, ':')) {
        std::string candidate = (dir.empty() ? "." : dir) + "/" + arg0;
        if (executable(candidate)) return candidate;
    }
    throw Error("exec: \"{}\": executable file not found in $PATH", arg0);
}

void give_stdio_to(uid_t uid) {
    struct stat null;
    if (::stat("/dev/null", &null) < 0) throw SysError(errno, "stat /dev/null");
    for (int fd = 0; fd < 3; ++fd) {
        struct stat st;
        if (::fstat(fd, &st) < 0) {
            if (errno == EBADF) continue;
            throw SysError(errno, "fstat the process's fd {}", fd);
        }
        if (st.st_uid == uid || (S_ISCHR(st.st_mode) && st.st_rdev == null.st_rdev)) continue;
        // Only the uid: the devpts mount chose the group (gid=5, tty), as with runc. An owner not
        // mapped in a user namespace, or a read-only /dev, leaves the fd as it is.
        if (::fchown(fd, uid, static_cast<gid_t>(-1)) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
            throw SysError(errno, "chown the process's fd {} to uid {}", fd, uid);
    }
}

void switch_user(const oci::User& u) {
    std::vector<gid_t> groups(u.additional_gids.begin(), u.additional_gids.end());
    // setgroups is denied in a user namespace whose setgroups file says "deny"; nothing to set then.
    if (::setgroups(groups.size(), groups.data()) < 0 && !(errno == EPERM && groups.empty()))
        throw SysError(errno, "setgroups to the additional gids");
    if (::setresgid(u.gid, u.gid, u.gid) < 0) throw SysError(errno, "setgid {}", u.gid);
    if (::setresuid(u.uid, u.uid, u.uid) < 0) throw SysError(errno, "setuid {}", u.uid);
}

bool try_enter_cwd(const std::string& cwd) {
    if (::chdir(cwd.c_str()) == 0) return true;
    if (errno == EACCES || errno == EPERM) return false;
    throw SysError(errno, "chdir to cwd (\"{}\") set in config.json", cwd);
}

void enter_cwd(const std::string& cwd) {
    if (::chdir(cwd.c_str()) < 0) throw SysError(errno, "chdir to cwd (\"{}\") set in config.json", cwd);
}

void verify_cwd_inside_root(const std::string& cwd) {
    char buf[4096];
    errno = 0;
    const char* got = ::getcwd(buf, sizeof buf);
    // The kernel marks a cwd outside the root "(unreachable)"; glibc turns that into ENOENT.
    if ((got && got[0] != '/') || (!got && errno == ENOENT))
        throw Error("cwd \"{}\" is outside the container's root filesystem: possible container breakout", cwd);
    // Any other failure is getcwd itself refused (a seccomp profile may fail it with any
    // errno): nothing to learn from it, and no reason to refuse the container.
    if (!got) log::debug("getcwd failed ({}): cwd \"{}\" not verified", std::strerror(errno), cwd);
}

void set_rlimits(pid_t pid, const std::vector<oci::Rlimit>& rlimits) {
    for (const auto& r : rlimits) {
        struct rlimit rl = {r.soft, r.hard};
        if (::prlimit(pid, static_cast<__rlimit_resource>(r.resource), &rl, nullptr) < 0)
            throw SysError(errno, "set {} to soft {} hard {}", r.type, r.soft, r.hard);
    }
}

void set_oom_score_adj(pid_t pid, int value) {
    write_existing("/proc/" + std::to_string(pid) + "/oom_score_adj", std::to_string(value));
}

void write_sysctls(const std::map<std::string, std::string>& sysctl) {
    for (const auto& [key, value] : sysctl) {
        std::string path = "/proc/sys/" + key;
        for (size_t i = 10; i < path.size(); ++i)
            if (path[i] == '.') path[i] = '/';
        try {
            write_existing(path, value);
        } catch (const SysError& e) {
            throw Error("linux.sysctl[\"{}\"]: {}", key, e.what());
        }
    }
}

void close_fds_except(int preserve, std::vector<int> keep) {
    std::sort(keep.begin(), keep.end());
    unsigned from = 3U + static_cast<unsigned>(preserve);
    for (int k : keep) {
        if (k < 0 || static_cast<unsigned>(k) < from) continue;
        if (static_cast<unsigned>(k) > from) ::syscall(SYS_close_range, from, static_cast<unsigned>(k) - 1, 0);
        from = static_cast<unsigned>(k) + 1;
    }
    ::syscall(SYS_close_range, from, ~0U, 0);
}

void close_fds_on_exec(int first_to_close) {
    if (::syscall(SYS_close_range, first_to_close, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    // Kernels before 5.11: walk /proc/self/fd.
    for (int fd = first_to_close; fd < 65536; ++fd) {
        int flags = ::fcntl(fd, F_GETFD);
        if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

void reset_signals() {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s) {
        if (s == SIGKILL || s == SIGSTOP) continue;
        ::signal(s, SIG_DFL);
    }
}

}  // namespace mogu::runtime
