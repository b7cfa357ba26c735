#include "kvm-launcher/agent/child_call.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/log.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mogu::vm::agent {
namespace {

void write_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += size_t(n);
    }
}

}  // namespace

void call_in_child(const std::string& what, ChildStdio stdio, const std::function<void()>& fn) {
    int p[2];
    check(pipe2(p, O_CLOEXEC), "pipe for {}", what);
    UniqueFd rd(p[0]), wr(p[1]);
    pid_t pid = fork();
    if (pid < 0) throw SysError(errno, "fork for {}", what);
    if (pid == 0) {
        rd.reset();
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        signal(SIGPIPE, SIG_DFL);
        int devnull = ::open("/dev/null", O_RDWR);
        int fds[3] = {stdio.in < 0 ? devnull : stdio.in, stdio.out < 0 ? devnull : stdio.out,
                      stdio.err < 0 ? devnull : stdio.err};
        for (int& fd : fds)
            if (fd >= 0 && fd <= 2) fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        for (int i = 0; i < 3; i++)
            if (dup2(fds[i], i) < 0) _exit(126);
        std::string message;
        try {
            fn();
        } catch (const std::exception& e) {
            message = e.what();
            if (message.empty()) message = "failed";
        }
        write_all(wr.get(), message);
        _exit(message.empty() ? 0 : 1);
    }
    wr.reset();
    std::string message;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(rd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        message.append(buf, size_t(n));
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!message.empty()) throw Error("{}", message);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error("{}: the runtime's process died ({})", what,
                    WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : fmt::format("status {}", WEXITSTATUS(status)));
}

}  // namespace mogu::vm::agent
