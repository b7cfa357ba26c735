// For foreground `run` and `exec`: signals sent to mogu go to the container's process, and
// mogu returns when that process exits. SIGCHLD and the forwarded signals are taken through a
// signalfd, so no handler runs in the middle of anything.
#pragma once

#include "common/fd.h"

#include <sys/types.h>

#include <functional>
#include <optional>

namespace mogu::runtime {

class SignalForwarder {
public:
    // Blocks the signals it will forward; construct before the child exists so none is lost.
    SignalForwarder();
    ~SignalForwarder();
    SignalForwarder(const SignalForwarder&) = delete;
    SignalForwarder& operator=(const SignalForwarder&) = delete;

    // Forwards until `child` (our child) exits; returns its raw wait status. `on_winch`, when
    // set, is called for SIGWINCH instead of forwarding it (terminal resize).
    int forward_until_exit(pid_t child, const std::function<void()>& on_winch = {});

    // For callers with their own poll loop: readable when a signal is pending.
    int fd() const { return fd_.get(); }
    // Reads one pending signal and forwards it; returns the wait status once `child` has exited.
    std::optional<int> handle_one(pid_t child, const std::function<void()>& on_winch = {});
    // The wait status if `child` has already exited.
    std::optional<int> reap(pid_t child);

private:
    UniqueFd fd_;
    sigset_t old_mask_;
};

}  // namespace mogu::runtime
