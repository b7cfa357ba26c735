// Foreground `run`/`exec` with process.terminal and no --console-socket: mogu receives the pty
// master itself and copies between it and its own stdin/stdout (raw mode), resizing on SIGWINCH.
#pragma once

#include "common/fd.h"
#include "runtime/signal_forwarder.h"

#include <termios.h>

namespace mogu::runtime {

class TtyProxy {
public:
    // `socket_fd` is where the container's init sends the master.
    explicit TtyProxy(int socket_fd);
    ~TtyProxy();
    TtyProxy(const TtyProxy&) = delete;
    TtyProxy& operator=(const TtyProxy&) = delete;

    // Receives the master (first call), then proxies until `child` exits; returns its wait status.
    int proxy_until_exit(SignalForwarder& signals, pid_t child);

private:
    void resize();
    int socket_fd_;
    UniqueFd master_;
    bool restore_ = false;
    struct termios saved_ {};
};

}  // namespace mogu::runtime
