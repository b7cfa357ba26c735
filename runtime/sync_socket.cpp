#include "runtime/sync_socket.h"

#include "common/error.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace mogu::runtime {

namespace {
struct Header {
    uint32_t type;
    int32_t value;
};
}  // namespace

SyncPair make_sync_pair() {
    int fds[2];
    check(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), "socketpair for the init sync channel");
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

namespace {

void send_message(int fd, const SyncMessage& m, int attached) {
    std::vector<char> buf(sizeof(Header) + m.text.size());
    Header h{static_cast<uint32_t>(m.type), m.value};
    std::memcpy(buf.data(), &h, sizeof h);
    std::memcpy(buf.data() + sizeof h, m.text.data(), m.text.size());
    struct iovec iov = {buf.data(), buf.size()};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int))] = {};
    if (attached >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &attached, sizeof attached);
    }
    ssize_t n;
    do n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw SysError(errno, "send to the container's init");
}

}  // namespace

void sync_send(int fd, const SyncMessage& m) { send_message(fd, m, -1); }
void sync_send_with_fd(int fd, const SyncMessage& m, int attached) { send_message(fd, m, attached); }

std::optional<SyncMessage> sync_recv(int fd) {
    char buf[65536];
    struct iovec iov = {buf, sizeof buf};
    char control[CMSG_SPACE(sizeof(int))] = {};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == ECONNRESET) return std::nullopt;
        throw SysError(errno, "receive from the container's init");
    }
    if (n == 0) return std::nullopt;
    if (static_cast<size_t>(n) < sizeof(Header)) throw Error("short message ({} bytes) on the init sync channel", n);
    Header h;
    std::memcpy(&h, buf, sizeof h);
    SyncMessage m{static_cast<SyncType>(h.type), h.value, std::string(buf + sizeof h, static_cast<size_t>(n) - sizeof h), UniqueFd()};
    if (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c && c->cmsg_type == SCM_RIGHTS) {
        int attached;
        std::memcpy(&attached, CMSG_DATA(c), sizeof attached);
        m.fd.reset(attached);
    }
    return m;
}

void sync_expect(int fd, SyncType type, const char* what) {
    auto m = sync_recv(fd);
    if (!m) throw Error("container init exited before {}", what);
    if (m->type == SyncType::error) throw Error("{}", m->text);
    if (m->type != type) throw Error("unexpected message {} from the container's init while waiting for {}", static_cast<uint32_t>(m->type), what);
}

}  // namespace mogu::runtime
