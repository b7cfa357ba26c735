// A child process owned by the runtime: killed and reaped on destruction unless released.
#pragma once

#include <sys/types.h>

#include <utility>

namespace mogu::runtime {

class ChildProcess {
public:
    ChildProcess() = default;
    explicit ChildProcess(pid_t pid) : pid_(pid) {}
    ChildProcess(ChildProcess&& o) noexcept : pid_(std::exchange(o.pid_, -1)) {}
    ChildProcess& operator=(ChildProcess&& o) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    pid_t pid() const { return pid_; }
    pid_t release() { return std::exchange(pid_, -1); }
    // Waits for exit; returns the raw wait status. The object no longer owns the pid.
    int wait();

private:
    pid_t pid_ = -1;
};

// fork(2) with namespace flags: clone(2) without a new stack, so the child returns 0 here like fork.
pid_t clone_with_flags(int flags);

// Exit code as a shell reports it: the status for an exit, 128+signal for a kill.
int exit_code_of(int wait_status);

}  // namespace mogu::runtime
