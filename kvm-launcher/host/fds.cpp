#include "kvm-launcher/host/fds.h"

#include "common/error.h"
#include "common/log.h"
#include "kvm-launcher/host/keeper.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <vector>

namespace mogu::vm {

void close_fds_except(const std::vector<int>& keep) {
    std::vector<int> fds;
    if (DIR* d = opendir("/proc/self/fd")) {
        int self = dirfd(d);
        while (dirent* e = readdir(d)) {
            int fd = atoi(e->d_name);
            if (e->d_name[0] == '.' || fd <= 2 || fd == self) continue;
            fds.push_back(fd);
        }
        closedir(d);
    }
    int log_fd = log::to_file() ? log::sink_fd() : -1;
    for (int fd : fds)
        if (fd != log_fd && std::find(keep.begin(), keep.end(), fd) == keep.end()) ::close(fd);
}

pid_t fork_reporting_child(const std::vector<int>& keep, const std::function<void()>& before_close,
                           const std::function<void(UniqueFd report)>& child) {
    int p[2];
    check(pipe2(p, O_CLOEXEC), "pipe");
    UniqueFd report_r(p[0]), report_w(p[1]);
    pid_t pid = fork();
    if (pid < 0) throw SysError(errno, "fork");
    if (pid == 0) {
        report_r.reset();
        if (before_close) before_close();
        std::vector<int> kept = keep;
        kept.push_back(report_w.get());
        close_fds_except(kept);
        setsid();
        try {
            child(std::move(report_w));
        } catch (...) {
        }
        _exit(1);
    }
    report_w.reset();
    try {
        read_keeper_report(report_r.get());
    } catch (...) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        throw;
    }
    return pid;
}

}  // namespace mogu::vm
