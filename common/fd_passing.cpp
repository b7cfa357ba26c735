#include "common/fd_passing.h"

#include "common/error.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace mogu {

void send_with_fd(int sock, const void* data, size_t len, int fd, const char* what) {
    struct iovec iov = {const_cast<void*>(data), len};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int))] = {};
    if (fd >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    ssize_t n;
    do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw SysError(errno, "{}", what);
}

size_t recv_with_fd(int sock, void* buf, size_t len, UniqueFd& fd, const char* what) {
    struct iovec iov = {buf, len};
    char control[CMSG_SPACE(sizeof(int))] = {};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == ECONNRESET) return 0;
        throw SysError(errno, "{}", what);
    }
    if (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        int received;
        std::memcpy(&received, CMSG_DATA(c), sizeof received);
        fd.reset(received);
    }
    return static_cast<size_t>(n);
}

}  // namespace mogu
