// Copies one guest process's stdio to and from host fds: a thread per stream, each a loop of
// blocking Agent calls (ReadStream until EOF; WriteStdin of what the host fd gives, CloseStdin
// at its EOF). For a terminal, the host side is the slave of a pty whose master the caller got
// through --console-socket, and window size changes travel as ResizePty.
#pragma once

#include "kvm-launcher/host/agent_client.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace mogu::vm {

struct HostStdio {
    int in = 0, out = 1, err = 2;  // -1: not connected
    int tty = -1;                   // the pty slave, when the process has a terminal
};

class StdioPump {
public:
    StdioPump(ttrpc::Client& client, std::string id, std::string exec_id, HostStdio stdio);
    ~StdioPump();
    StdioPump(const StdioPump&) = delete;
    StdioPump& operator=(const StdioPump&) = delete;

    // Waits for both output streams to reach EOF (stdin is left to die with the process).
    void join_output();
    // Sends the tty's current window size (call on SIGWINCH).
    void resize();

private:
    void read_loop(uint32_t stream, int fd);
    void write_loop(int fd);

    ttrpc::Client& client_;
    std::string id_, exec_id_;
    HostStdio stdio_;
    std::vector<std::thread> out_threads_;
    std::thread in_thread_;
};

// A pty for a process with a terminal: the master goes to the console socket (as runc sends
// it), the slave stays here, raw, as the pump's stdio.
int open_console_for(const std::string& console_socket);

}  // namespace mogu::vm
