// process.terminal: the init opens a pty in the container's devpts, hands the master to whoever
// listens on --console-socket (SCM_RIGHTS, as containerd and runc expect), and makes the slave
// its controlling terminal and stdio.
#pragma once

#include "common/fd.h"
#include "common/oci/spec.h"

#include <optional>
#include <string>

namespace mogu::runtime {

// Connects to the console socket path (in the parent, before clone). Errors name the path.
UniqueFd connect_console_socket(const std::string& path);
// In the init, after pivot_root. `proxied`: mogu itself copies this terminal to its own (a
// foreground run or exec): ONLCR goes off before the process can write, as runc does, because the
// caller's terminal adds the carriage returns already.
void setup_console(int socket_fd, const std::optional<oci::ConsoleSize>& size, bool proxied);
// For `run` with a terminal and no --console-socket: receive the master on our own socket.
UniqueFd receive_pty_master(int socket_fd);
void send_fd(int socket_fd, int fd, const std::string& name);
// Output post-processing off for "\n" -> "\r\n" on a pty (master or slave fd).
void clear_onlcr(int pty_fd);

}  // namespace mogu::runtime
