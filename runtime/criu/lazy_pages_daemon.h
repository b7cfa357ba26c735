// criu's lazy-pages daemon over images on this host: `criu lazy-pages -D IMAGES -W WORK`. A
// restore with lazy_pages (and the same work directory, where the daemon's socket is) then
// leaves the processes' anonymous memory empty and runs them at once; the daemon fills it in
// through userfaultfd, the pages a process touches first and the rest in the background, and
// exits when every page is in. Post-copy migration runs one on the target (runtime/migrate/).
// criu has no RPC request for this daemon, so it is started as a command; it says it listens
// on --status-fd, not on its output.
#pragma once

#include <sys/types.h>

#include <string>

namespace mogu::runtime::criu {

class LazyPagesDaemon {
public:
    // Starts the daemon and returns once its socket listens (within `timeout_seconds`). Its log
    // is `work_dir`/lazy-pages.log. It runs in a session of its own: a signal to this
    // process's terminal or group does not take a restored container's memory with it.
    LazyPagesDaemon(const std::string& criu_path, const std::string& images_dir, const std::string& work_dir, int timeout_seconds = 60);
    LazyPagesDaemon(const LazyPagesDaemon&) = delete;
    LazyPagesDaemon& operator=(const LazyPagesDaemon&) = delete;
    // Kills and reaps a daemon that was not waited for (the restore it was for failed).
    ~LazyPagesDaemon();

    // Waits (without a limit: killing it would leave the restored processes without their
    // memory) until the daemon has handed over every page and exited. Throws Error naming the
    // log when it failed.
    void wait();

    pid_t pid() const { return pid_; }
    const std::string& log_path() const { return log_path_; }

private:
    void kill_and_reap();

    pid_t pid_ = -1;
    std::string log_path_;
};

}  // namespace mogu::runtime::criu
