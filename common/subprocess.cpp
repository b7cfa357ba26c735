#include "common/subprocess.h"

#include "common/error.h"
#include "common/fd.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace mogu {

bool CommandResult::ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

CommandResult run_program(const std::vector<std::string>& argv, bool merge_stderr) {
    if (argv.empty()) throw Error("run_command: empty argv");
    int p[2];
    check(::pipe2(p, O_CLOEXEC), "pipe for {}", argv[0]);
    UniqueFd r(p[0]), w(p[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) throw SysError(errno, "fork for {}", argv[0]);
    if (pid == 0) {
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::dup2(w.get(), 1);
        if (merge_stderr) ::dup2(w.get(), 2);
        ::execvp(args[0], args.data());
        dprintf(2, "exec %s: %s\n", args[0], strerror(errno));
        ::_exit(127);
    }
    w.reset();
    CommandResult res;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(r.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        res.output.append(buf, static_cast<size_t>(n));
    }
    while (::waitpid(pid, &res.status, 0) < 0)
        if (errno != EINTR) throw SysError(errno, "wait for {}", argv[0]);
    return res;
}

}  // namespace mogu
