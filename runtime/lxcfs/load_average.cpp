#include "common/error.h"
#include "common/fd.h"
#include "common/strings.h"
#include "runtime/lxcfs/lxcfs.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>

namespace mogu::runtime::lxcfs {
namespace {

// In the helper: a grandchild born in the container's pid namespace reads the file.
[[noreturn]] void read_in_pid_namespace(int pid_ns, const std::string& path, int out) {
    if (::setns(pid_ns, CLONE_NEWPID) < 0) ::_exit(2);
    pid_t reader = ::fork();
    if (reader < 0) ::_exit(2);
    if (reader == 0) {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) ::_exit(3);
        char buf[256];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0 || ::write(out, buf, static_cast<size_t>(n)) != n) ::_exit(3);
        ::_exit(0);
    }
    int status = 0;
    while (::waitpid(reader, &status, 0) < 0 && errno == EINTR) {
    }
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 4);
}

}  // namespace

std::optional<LoadAverage> parse_loadavg(const std::string& text) {
    auto f = split(std::string(trim(text)), ' ');
    if (f.size() < 4) return std::nullopt;
    LoadAverage l;
    double* avgs[] = {&l.avg1, &l.avg5, &l.avg15};
    for (size_t i = 0; i < 3; ++i) {
        char* end = nullptr;
        *avgs[i] = std::strtod(f[i].c_str(), &end);
        if (end == f[i].c_str()) return std::nullopt;
    }
    auto slash = f[3].find('/');
    if (slash == std::string::npos) return std::nullopt;
    auto running = parse_uint(std::string_view(f[3]).substr(0, slash)), tasks = parse_uint(std::string_view(f[3]).substr(slash + 1));
    if (!running || !tasks) return std::nullopt;
    l.running = *running;
    l.tasks = *tasks;
    return l;
}

std::optional<LoadAverage> read_load_average(pid_t init, const std::string& mount_point, int timeout_ms) {
    UniqueFd pid_ns(::open(fmt::format("/proc/{}/ns/pid", init).c_str(), O_RDONLY | O_CLOEXEC));
    if (!pid_ns) return std::nullopt;  // the container is gone
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) throw SysError(errno, "pipe to read the load average");
    UniqueFd from_helper(fds[0]), to_parent(fds[1]);
    pid_t helper = ::fork();
    if (helper < 0) throw SysError(errno, "fork to read the load average");
    if (helper == 0) {
        ::setpgid(0, 0);  // its own group, which the reader joins: one kill ends both
        read_in_pid_namespace(pid_ns.get(), mount_point + "/proc/loadavg", to_parent.get());
    }
    ::setpgid(helper, helper);  // either side may run first
    to_parent.reset();
    std::string text;
    char buf[256];
    ssize_t n;
    bool timed_out = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        if (timeout_ms >= 0) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            struct pollfd p = {from_helper.get(), POLLIN, 0};
            int r = ::poll(&p, 1, int(std::max<int64_t>(left.count(), 0)));
            if (r < 0 && errno == EINTR) continue;
            if (r == 0) {
                timed_out = true;
                break;
            }
        }
        n = ::read(from_helper.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    // A hung FUSE read is killable: the helper and the reader go, nothing is left behind.
    if (timed_out) {
        ::kill(-helper, SIGKILL);
        ::kill(helper, SIGKILL);
    }
    int status = 0;
    while (::waitpid(helper, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    return parse_loadavg(text);
}

}  // namespace mogu::runtime::lxcfs
