#include "snapshotter/process.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/strings.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mogu::snap {
namespace {

std::string last_lines(const std::string& text, size_t n) {
    auto lines = split(trim(text), '\n');
    if (lines.size() > n) lines.erase(lines.begin(), lines.end() - static_cast<long>(n));
    return join(lines, "; ");
}

}  // namespace

std::string run_program(const std::vector<std::string>& argv) {
    int out[2], err[2];
    check(::pipe2(out, O_CLOEXEC), "pipe");
    UniqueFd out_r(out[0]), out_w(out[1]);
    check(::pipe2(err, O_CLOEXEC), "pipe");
    UniqueFd err_r(err[0]), err_w(err[1]);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, err_w.get(), 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid;
    int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw SysError(rc, "run {}", argv[0]);
    out_w.reset();
    err_w.reset();

    std::string sout, serr;
    pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
    int open_fds = 2;
    char buf[65536];
    while (open_fds > 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            throw SysError(errno, "poll output of {}", argv[0]);
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) (i == 0 ? sout : serr).append(buf, static_cast<size_t>(n));
            else if (n == 0 || errno != EINTR) { fds[i].fd = -1; --open_fds; }
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw SysError(errno, "wait for {}", argv[0]);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return sout;
    std::string how = WIFEXITED(status) ? fmt::format("exited with status {}", WEXITSTATUS(status))
                                        : fmt::format("was killed by signal {}", WTERMSIG(status));
    throw Error("{} {}: {}", join(argv, " "), how, last_lines(serr, 3));
}

}  // namespace mogu::snap
