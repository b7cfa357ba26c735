#include "kvm-launcher/agent/port_bridge.h"

#include "common/error.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace mogu::vm::agent {

PortBridge::PortBridge(ttrpc::EventLoop& loop, UniqueFd port, int timeout_ms) : loop_(loop), port_(std::move(port)) {
    // A port whose host side is closed polls as POLLHUP; wait for the host to open it.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        pollfd pfd{port_.get(), POLLIN, 0};
        ::poll(&pfd, 1, 0);
        if (!(pfd.revents & POLLHUP)) break;
        if (std::chrono::steady_clock::now() >= deadline)
            throw Error("the host did not open the control port within {} ms", timeout_ms);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    int sv[2];
    check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), "socketpair for the control port");
    mine_.reset(sv[0]);
    server_end_.reset(sv[1]);
    int flags = fcntl(port_.get(), F_GETFL);
    fcntl(port_.get(), F_SETFL, flags | O_NONBLOCK);
    up_ = {port_.get(), mine_.get(), {}};
    down_ = {mine_.get(), port_.get(), {}};
    port_mask_ = mine_mask_ = EPOLLIN;
    loop_.add(port_.get(), EPOLLIN, [this](uint32_t ev) {
        if (ev & EPOLLOUT) pump(down_, true);
        if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) pump(up_, false);
    });
    loop_.add(mine_.get(), EPOLLIN, [this](uint32_t ev) {
        if (ev & EPOLLOUT) pump(up_, false);
        if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) pump(down_, true);
    });
}

PortBridge::~PortBridge() {
    if (port_) loop_.remove(port_.get());
    if (mine_) loop_.remove(mine_.get());
}

void PortBridge::host_gone() {
    if (gone_) return;
    gone_ = true;
    loop_.remove(port_.get());
    loop_.remove(mine_.get());
    if (on_host_gone) on_host_gone();
}

// Reads what `from` has (while nothing is pending for `to`), writes as much as `to` takes.
void PortBridge::pump(Pipe& p, bool to_port) {
    if (gone_) return;
    char chunk[65536];
    for (;;) {
        while (!p.buf.empty()) {
            ssize_t n = to_port ? ::write(p.to, p.buf.data(), p.buf.size())
                                : ::send(p.to, p.buf.data(), p.buf.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            if (n < 0) return host_gone();
            p.buf.erase(0, size_t(n));
        }
        if (!p.buf.empty()) break;
        ssize_t n = ::read(p.from, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) return host_gone();  // the port's host side closed (or the server end went)
        p.buf.assign(chunk, size_t(n));
    }
    update_watches();
}

// An fd is read while what was read from it has been passed on, and watched for room while
// bytes wait for it: a slow side stops the other instead of filling memory or spinning.
void PortBridge::update_watches() {
    auto mask = [](const Pipe& out_of, const Pipe& into) {
        return (out_of.buf.empty() ? uint32_t(EPOLLIN) : 0u) | (into.buf.empty() ? 0u : uint32_t(EPOLLOUT));
    };
    uint32_t port_mask = mask(up_, down_), mine_mask = mask(down_, up_);
    if (port_mask != port_mask_) loop_.modify(port_.get(), port_mask_ = port_mask);
    if (mine_mask != mine_mask_) loop_.modify(mine_.get(), mine_mask_ = mine_mask);
}

}  // namespace mogu::vm::agent
