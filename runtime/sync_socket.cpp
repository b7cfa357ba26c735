#include "runtime/sync_socket.h"

#include "common/error.h"
#include "common/fd_passing.h"

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
    send_with_fd(fd, buf.data(), buf.size(), attached, "send to the container's init");
}

}  // namespace

void sync_send(int fd, const SyncMessage& m) { send_message(fd, m, -1); }
void sync_send_with_fd(int fd, const SyncMessage& m, int attached) { send_message(fd, m, attached); }

std::optional<SyncMessage> sync_recv(int fd) {
    char buf[65536];
    UniqueFd attached;
    size_t n = recv_with_fd(fd, buf, sizeof buf, attached, "receive from the container's init");
    if (n == 0) return std::nullopt;
    if (n < sizeof(Header)) throw Error("short message ({} bytes) on the init sync channel", n);
    Header h;
    std::memcpy(&h, buf, sizeof h);
    return SyncMessage{static_cast<SyncType>(h.type), h.value, std::string(buf + sizeof h, n - sizeof h), std::move(attached)};
}

void sync_expect(int fd, SyncType type, const char* what) {
    auto m = sync_recv(fd);
    if (!m) throw Error("container init exited before {}", what);
    if (m->type == SyncType::error) throw Error("{}", m->text);
    if (m->type != type) throw Error("unexpected message {} from the container's init while waiting for {}", static_cast<uint32_t>(m->type), what);
}

}  // namespace mogu::runtime
