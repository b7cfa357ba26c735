// Sending a file descriptor along with a message over a unix socket (SCM_RIGHTS).
#pragma once

#include "common/fd.h"

#include <sys/types.h>

#include <cstddef>

namespace mogu {

// Sends `len` bytes and, when `fd` >= 0, the fd with them. Throws SysError naming `what`.
void send_with_fd(int sock, const void* data, size_t len, int fd, const char* what);
// Receives one message into buf; an fd that came with it is stored (close-on-exec) in `fd`.
// Returns the byte count (0 at EOF). Throws SysError naming `what`.
size_t recv_with_fd(int sock, void* buf, size_t len, UniqueFd& fd, const char* what);

}  // namespace mogu
