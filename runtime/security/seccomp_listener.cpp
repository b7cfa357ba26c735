#include "runtime/security/seccomp_listener.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/json.h"
#include "runtime/terminal.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace mogu::runtime {

void send_to_seccomp_listener(const std::string& path, int listener_fd, pid_t pid, const std::string& metadata,
                              const std::string& oci_version, const std::string& state_json) {
    UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!sock) throw SysError(errno, "linux.seccomp.listenerPath: socket");
    struct sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) throw Error("linux.seccomp.listenerPath: \"{}\" is too long", path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        throw SysError(errno, "linux.seccomp.listenerPath: connect to {}", path);
    auto state = JsonDoc::parse(state_json, "container state");
    JsonWriter w;
    w.begin_object().kv("ociVersion", oci_version);
    w.key("fds").string_array({"seccompFd"});
    w.kv("pid", static_cast<long>(pid)).kv("metadata", metadata);
    w.key("state").value(state.root());
    w.end_object();
    send_fd(sock.get(), listener_fd, w.str());
}

}  // namespace mogu::runtime
