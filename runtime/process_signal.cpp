#include "runtime/process_signal.h"

#include "common/error.h"
#include "common/fd.h"
#include "runtime/proc_info.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {
namespace {

UniqueFd pin(pid_t pid, uint64_t start_time) {
    UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!fd) {
        if (errno == ESRCH) return fd;
        throw SysError(errno, "pidfd_open {}", pid);
    }
    // With the pidfd held the pid cannot be reused; now check it is still ours.
    if (!process_alive(pid, start_time)) return UniqueFd();
    return fd;
}

}  // namespace

bool signal_process(pid_t pid, uint64_t start_time, int sig) {
    UniqueFd fd = pin(pid, start_time);
    if (!fd) return false;
    if (::syscall(SYS_pidfd_send_signal, fd.get(), sig, nullptr, 0) < 0) {
        if (errno == ESRCH) return false;
        throw SysError(errno, "send signal {} to {}", sig, pid);
    }
    return true;
}

void signal_all(cgroups::Cgroup& cg, int sig) {
    bool freeze = sig == SIGKILL && cg.freezer_state() == cgroups::FreezerState::thawed;
    if (freeze) {
        try {
            cg.freeze(cgroups::FreezerState::frozen);
        } catch (const std::exception&) {
            freeze = false;  // no freezer: signal without it
        }
    }
    for (pid_t p : cg.pids())
        if (::kill(p, sig) < 0 && errno != ESRCH) throw SysError(errno, "send signal {} to {}", sig, p);
    // A frozen process only dies once thawed (SIGKILL too).
    if (freeze || sig == SIGKILL) cg.freeze(cgroups::FreezerState::thawed);
}

bool wait_for_exit(pid_t pid, uint64_t start_time, int timeout_ms) {
    UniqueFd fd = pin(pid, start_time);
    if (!fd) return true;
    struct pollfd p = {fd.get(), POLLIN, 0};
    int rc;
    do rc = ::poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    return rc > 0;
}

}  // namespace mogu::runtime
