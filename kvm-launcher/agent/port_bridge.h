// The ttrpc server writes with send(2), which a virtio-serial port (a character device) refuses.
// PortBridge copies bytes between the port and one end of a socketpair on the agent's event
// loop; the server serves the other end.
#pragma once

#include "common/fd.h"
#include "ttrpc/event_loop.h"

#include <functional>
#include <string>

namespace mogu::vm::agent {

class PortBridge {
public:
    // Waits (up to timeout_ms) until the host side of the port is open, then bridges.
    PortBridge(ttrpc::EventLoop& loop, UniqueFd port, int timeout_ms);
    ~PortBridge();
    PortBridge(const PortBridge&) = delete;
    PortBridge& operator=(const PortBridge&) = delete;

    // The end to hand to ttrpc::Server::add_connection.
    UniqueFd take_server_end() { return std::move(server_end_); }
    // Called once when the host closes the port.
    std::function<void()> on_host_gone;

private:
    struct Pipe {
        int from, to;
        std::string buf;
    };
    void pump(Pipe& p, bool to_port);
    void update_watches();
    void host_gone();

    ttrpc::EventLoop& loop_;
    UniqueFd port_, mine_, server_end_;
    Pipe up_{}, down_{};  // up: port -> socket, down: socket -> port
    uint32_t port_mask_ = 0, mine_mask_ = 0;  // what each fd is watched for
    bool gone_ = false;
};

}  // namespace mogu::vm::agent
