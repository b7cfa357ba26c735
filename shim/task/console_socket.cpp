#include "shim/task/console_socket.h"

#include "common/error.h"
#include "ttrpc/socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace mogu::shim {

ConsoleSocket::ConsoleSocket() {
    char tmpl[] = "/tmp/mogu-pty.XXXXXX";
    if (!mkdtemp(tmpl)) throw SysError(errno, "create a directory for the console socket");
    dir_ = tmpl;
    path_ = dir_ + "/pty.sock";
    try {
        listener_ = ttrpc::listen_unix(path_);
    } catch (...) {
        rmdir(dir_.c_str());
        throw;
    }
}

ConsoleSocket::~ConsoleSocket() {
    listener_.reset();
    unlink(path_.c_str());
    rmdir(dir_.c_str());
}

UniqueFd ConsoleSocket::receive_master(int timeout_ms) {
    struct pollfd p {listener_.get(), POLLIN, 0};
    int rc;
    do rc = poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    if (rc == 0) throw Error("the runtime did not send the terminal on {}", path_);
    UniqueFd conn(check(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC), "accept on {}", path_));
    char name[256];
    struct iovec iov {name, sizeof name};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do n = recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw SysError(errno, "receive the terminal on {}", path_);
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
        throw Error("the runtime sent no terminal fd on {}", path_);
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return UniqueFd(fd);
}

}  // namespace mogu::shim
