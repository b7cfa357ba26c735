#include "monitor/status_command.h"

#include "common/error.h"
#include "common/fd.h"
#include "monitor/status_json.h"
#include "monitor/status_text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace mogu::monitor {
namespace {

// Waits for `events` on fd until the deadline; false on timeout.
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) return false;
        struct pollfd p = {fd, events, 0};
        int n = ::poll(&p, 1, static_cast<int>(left));
        if (n > 0) return true;
        if (n < 0 && errno != EINTR) return false;
    }
}

}  // namespace

StatusOptions parse_status_args(const std::vector<std::string>& args) {
    StatusOptions o;
    for (size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a == "--address" && i + 1 < args.size()) o.address = args[++i];
        else if (a == "--json") o.json = true;
        else if (!a.empty() && a[0] == '-') throw UsageError("status: unknown option \"{}\"", a);
        else o.containers.push_back(a);
    }
    return o;
}

std::string http_get(const ListenAddress& a, const std::string& path, int timeout_ms) {
    std::string url = fmt::format("http://{}{}", a.text(), path);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    struct sockaddr_storage ss;
    socklen_t len = a.to_sockaddr(ss);
    UniqueFd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) throw SysError(errno, "GET {}: socket", url);
    if (::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&ss), len) < 0) {
        if (errno != EINPROGRESS) throw SysError(errno, "GET {}", url);
        if (!wait_for(fd.get(), POLLOUT, deadline)) throw Error("GET {}: no connection within {} ms", url, timeout_ms);
        int err = 0;
        socklen_t el = sizeof err;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) throw SysError(err, "GET {}", url);
    }
    std::string request = fmt::format("GET {} HTTP/1.0\r\nHost: {}\r\nAccept: application/json\r\n\r\n", path, a.text());
    size_t sent = 0;
    while (sent < request.size()) {
        ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n > 0) sent += static_cast<size_t>(n);
        else if (n < 0 && errno != EAGAIN && errno != EINTR) throw SysError(errno, "GET {}: send", url);
        else if (!wait_for(fd.get(), POLLOUT, deadline)) throw Error("GET {}: timed out sending", url);
    }
    std::string response;
    char buf[65536];
    for (;;) {
        ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
        if (n > 0) {
            response.append(buf, static_cast<size_t>(n));
            if (response.size() > (64u << 20)) throw Error("GET {}: answer larger than 64 MiB", url);
        } else if (n == 0) {
            break;
        } else if (errno != EAGAIN && errno != EINTR) {
            throw SysError(errno, "GET {}: recv", url);
        } else if (!wait_for(fd.get(), POLLIN, deadline)) {
            throw Error("GET {}: no complete answer within {} ms", url, timeout_ms);
        }
    }
    auto head_end = response.find("\r\n\r\n");
    auto line_end = response.find("\r\n");
    if (head_end == std::string::npos || response.compare(0, 5, "HTTP/") != 0) throw Error("GET {}: not an HTTP answer", url);
    std::string status_line = response.substr(0, line_end);
    auto sp = status_line.find(' ');
    if (sp == std::string::npos || status_line.compare(sp + 1, 3, "200") != 0)
        throw Error("GET {}: {}", url, sp == std::string::npos ? status_line : status_line.substr(sp + 1));
    return response.substr(head_end + 4);
}

int run_status(const Config& config, const StatusOptions& options) {
    ListenAddress a = config.listen;
    if (!options.address.empty()) {
        std::string why;
        if (!parse_listen_address(options.address, a, why)) throw UsageError("status: --address {}: {}", options.address, why);
    }
    // A monitor listening on every address answers on loopback too.
    if (a.host == "0.0.0.0") a.host = "127.0.0.1";
    if (a.host == "::") a.host = "::1";
    if (a.port == 0)
        throw Error("status: {} listens on port 0 (a port the kernel picks): give the monitor's address with --address HOST:PORT",
                    config.source);
    std::string body;
    try {
        body = http_get(a, "/api/status", 5000);
    } catch (const Error& e) {
        throw Error("{} (is mogu-monitor running and listening there?)", e.what());
    }
    if (options.json) {
        std::fputs(body.c_str(), stdout);
        return 0;
    }
    auto s = parse_status_json(body, fmt::format("http://{}/api/status", a.text()));
    if (!options.containers.empty()) {
        std::vector<ContainerStatus> kept;
        for (auto& c : s.containers)
            for (const auto& want : options.containers)
                if (c.name == want || display_name(c) == want) {
                    kept.push_back(std::move(c));
                    break;
                }
        s.containers = std::move(kept);
    }
    std::fputs(render_status_text(s, "http://" + a.text()).c_str(), stdout);
    if (!options.containers.empty() && s.containers.empty()) {
        std::fprintf(stderr, "mogu-monitor: status: no running container called %s\n", options.containers.front().c_str());
        return 1;
    }
    return 0;
}

}  // namespace mogu::monitor
