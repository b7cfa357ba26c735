#include "ttrpc/socket.h"

#include "common/error.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace mogu::ttrpc {
namespace {

socklen_t make_sockaddr(const std::string& address, struct sockaddr_un& sa) {
    std::string path = socket_path(address);
    if (path.empty()) throw Error("empty socket address");
    if (path.size() >= sizeof sa.sun_path)
        throw Error("socket path {} is longer than {} bytes", path, sizeof sa.sun_path - 1);
    std::memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path.data(), path.size());
    if (path[0] == '@') {
        sa.sun_path[0] = '\0';
        return socklen_t(offsetof(struct sockaddr_un, sun_path) + path.size());
    }
    return socklen_t(sizeof sa);
}

}  // namespace

std::string socket_path(const std::string& address) {
    static const std::string scheme = "unix://";
    if (address.compare(0, scheme.size(), scheme) == 0) return address.substr(scheme.size());
    auto colon = address.find("://");
    if (colon != std::string::npos) throw Error("unsupported socket address {}: only unix:// is supported", address);
    return address;
}

UniqueFd listen_unix(const std::string& address) {
    struct sockaddr_un sa;
    socklen_t len = make_sockaddr(address, sa);
    UniqueFd fd(check(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), "socket for {}", address));
    check(bind(fd.get(), reinterpret_cast<struct sockaddr*>(&sa), len), "bind {}", address);
    // Nobody can connect before listen(), so there is no window with a looser mode.
    if (sa.sun_path[0] != '\0' && chmod(sa.sun_path, 0600) < 0) {
        int err = errno;
        unlink(sa.sun_path);
        throw SysError(err, "chmod 0600 {}", address);
    }
    check(listen(fd.get(), 128), "listen on {}", address);
    return fd;
}

bool peer_is_trusted(int fd, uid_t* peer_uid) {
    struct ucred cred {};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) return false;
    if (peer_uid) *peer_uid = cred.uid;
    return cred.uid == geteuid() || cred.uid == 0;
}

UniqueFd connect_unix(const std::string& address) {
    struct sockaddr_un sa;
    socklen_t len = make_sockaddr(address, sa);
    UniqueFd fd(check(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket for {}", address));
    int rc;
    do rc = connect(fd.get(), reinterpret_cast<struct sockaddr*>(&sa), len);
    while (rc < 0 && errno == EINTR);
    check(rc, "connect to {}", address);
    return fd;
}

void remove_socket(const std::string& address) {
    std::string path = socket_path(address);
    if (path.empty() || path[0] == '@') return;
    if (::unlink(path.c_str()) < 0 && errno != ENOENT) throw SysError(errno, "remove socket {}", path);
}

}  // namespace mogu::ttrpc
