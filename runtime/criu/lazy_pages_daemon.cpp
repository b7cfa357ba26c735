#include "runtime/criu/lazy_pages_daemon.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/files.h"
#include "common/log.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace mogu::runtime::criu {
namespace {

std::string exit_description(int status) {
    if (WIFEXITED(status)) return fmt::format("exited with {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return fmt::format("was killed by signal {}", WTERMSIG(status));
    return fmt::format("ended with wait status {}", status);
}

}  // namespace

LazyPagesDaemon::LazyPagesDaemon(const std::string& criu_path, const std::string& images_dir, const std::string& work_dir,
                                 int timeout_seconds)
    : log_path_(path_join(work_dir, "lazy-pages.log")) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) throw SysError(errno, "pipe for criu lazy-pages' status");
    UniqueFd status_read(p[0]), status_write(p[1]);
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null) throw SysError(errno, "open /dev/null for criu lazy-pages");
    // Everything the child needs is made before fork: it only calls async-signal-safe functions.
    std::vector<std::string> args = {criu_path, "lazy-pages", "-D", images_dir, "-W", work_dir, "-o", "lazy-pages.log", "-v4",
                                     "--status-fd", std::to_string(status_write.get())};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid < 0) throw SysError(errno, "fork for {} lazy-pages", criu_path);
    if (pid == 0) {
        ::setsid();
        ::signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int i = 0; i < 3; ++i)
            if (::dup2(null.get(), i) < 0) ::_exit(126);
        ::fcntl(status_write.get(), F_SETFD, 0);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    pid_ = pid;
    status_write.reset();

    // criu writes one byte once its socket listens; the pipe ends without it when criu fails.
    pollfd pfd{status_read.get(), POLLIN, 0};
    int n;
    do n = ::poll(&pfd, 1, timeout_seconds * 1000);
    while (n < 0 && errno == EINTR);
    char byte;
    ssize_t got = n > 0 ? ::read(status_read.get(), &byte, 1) : -1;
    if (got == 1) {
        log::debug("criu lazy-pages {} serves the pages of {} (log {})", pid_, images_dir, log_path_);
        return;
    }
    // A constructor that throws runs no destructor.
    kill_and_reap();
    if (n == 0) throw Error("criu lazy-pages did not start listening within {} s (criu's log: {})", timeout_seconds, log_path_);
    throw Error("criu lazy-pages failed to start on {} (criu's log: {})", images_dir, log_path_);
}

LazyPagesDaemon::~LazyPagesDaemon() { kill_and_reap(); }

void LazyPagesDaemon::kill_and_reap() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

void LazyPagesDaemon::wait() {
    if (pid_ <= 0) throw Error("criu lazy-pages: no daemon to wait for");
    int status = 0;
    pid_t r;
    do r = ::waitpid(pid_, &status, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0) throw SysError(errno, "waiting for criu lazy-pages {}", pid_);
    pid_ = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error("criu lazy-pages {} before it handed over every page (criu's log: {})", exit_description(status), log_path_);
}

}  // namespace mogu::runtime::criu
