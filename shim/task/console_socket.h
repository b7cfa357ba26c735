// The --console-socket handshake: we listen on a unix socket, the runtime connects and sends the
// pty master with SCM_RIGHTS. The socket lives in a private temp directory removed with it.
#pragma once

#include "common/fd.h"

#include <string>

namespace mogu::shim {

class ConsoleSocket {
public:
    ConsoleSocket();
    ~ConsoleSocket();
    ConsoleSocket(const ConsoleSocket&) = delete;
    ConsoleSocket& operator=(const ConsoleSocket&) = delete;

    const std::string& path() const { return path_; }
    // Takes the master the runtime sent. Called after the runtime returned, so the connection is
    // already queued; waits at most timeout_ms for it.
    UniqueFd receive_master(int timeout_ms = 10000);

private:
    std::string dir_, path_;
    UniqueFd listener_;
};

}  // namespace mogu::shim
