#include "runtime/migrate/connection.h"

#include "common/error.h"
#include "runtime/migrate/manifest.h"

#include <netinet/tcp.h>
#include <poll.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>

namespace mogu::runtime::migrate {
namespace {

void set_io_timeout(int fd, int seconds) {
    timeval tv{seconds, 0};
    check(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), "migrate: SO_RCVTIMEO");
    check(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), "migrate: SO_SNDTIMEO");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

UniqueFd connect_to(const std::string& address, int timeout_seconds, int io_timeout_seconds) {
    auto sa = parse_address(address, "--to");
    UniqueFd fd(check(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), "migrate: socket"));
    if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) < 0) {
        if (errno != EINPROGRESS) throw SysError(errno, "migrate: connecting to {}", address);
        pollfd p{fd.get(), POLLOUT, 0};
        int n;
        do n = poll(&p, 1, timeout_seconds * 1000);
        while (n < 0 && errno == EINTR);
        if (n == 0) throw Error("migrate: connecting to {}: no answer within {} s (target unreachable?)", address, timeout_seconds);
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) throw SysError(err, "migrate: connecting to {}", address);
    }
    int flags = fcntl(fd.get(), F_GETFL);
    fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
    set_io_timeout(fd.get(), io_timeout_seconds);
    return fd;
}

UniqueFd accept_one(const std::string& address, int io_timeout_seconds) {
    auto sa = parse_address(address, "--listen");
    UniqueFd listener(check(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "migrate: socket"));
    int one = 1;
    setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    check(bind(listener.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa), "migrate: binding {}", address);
    check(listen(listener.get(), 1), "migrate: listening on {}", address);
    int c;
    do c = accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
    while (c < 0 && errno == EINTR);
    UniqueFd conn(check(c, "migrate: accepting on {}", address));
    set_io_timeout(conn.get(), io_timeout_seconds);
    return conn;
}

void wait_on_live_peer(int fd) {
    timeval none{0, 0};
    check(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none), "migrate: SO_RCVTIMEO");
    int on = 1, idle = 10, interval = 5, probes = 3;
    check(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on), "migrate: SO_KEEPALIVE");
    check(setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle), "migrate: TCP_KEEPIDLE");
    check(setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval), "migrate: TCP_KEEPINTVL");
    check(setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes), "migrate: TCP_KEEPCNT");
}

}  // namespace mogu::runtime::migrate
