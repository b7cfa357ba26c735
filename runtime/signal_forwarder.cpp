#include "runtime/signal_forwarder.h"

#include "common/error.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {

SignalForwarder::SignalForwarder() {
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGABRT);
    check(::sigprocmask(SIG_BLOCK, &all, &old_mask_), "block signals");
    fd_.reset(::signalfd(-1, &all, SFD_CLOEXEC));
    if (!fd_) throw SysError(errno, "signalfd");
}

SignalForwarder::~SignalForwarder() { ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr); }

std::optional<int> SignalForwarder::reap(pid_t child) {
    int status;
    pid_t r;
    do r = ::waitpid(child, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == child) return status;
    if (r < 0) throw SysError(errno, "wait for process {}", child);
    return std::nullopt;
}

std::optional<int> SignalForwarder::handle_one(pid_t child, const std::function<void()>& on_winch) {
    struct signalfd_siginfo si;
    ssize_t n = ::read(fd_.get(), &si, sizeof si);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) return reap(child);
        throw SysError(errno, "read signalfd");
    }
    int sig = static_cast<int>(si.ssi_signo);
    if (sig == SIGCHLD) return reap(child);
    if (sig == SIGWINCH && on_winch) on_winch();
    else ::kill(child, sig);
    return std::nullopt;
}

int SignalForwarder::forward_until_exit(pid_t child, const std::function<void()>& on_winch) {
    for (;;) {
        if (auto st = reap(child)) return *st;
        if (auto st = handle_one(child, on_winch)) return *st;
    }
}

}  // namespace mogu::runtime
