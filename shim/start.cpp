#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "shim/commands.h"
#include "shim/serve.h"
#include "ttrpc/socket.h"

#include <fcntl.h>
#include <sha2.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace mogu::shim {
namespace {

constexpr const char* kSocketDir = "/run/containerd/s";

// Pod containers share their sandbox's shim (containerd's runc shim does the same).
std::string group_id(const std::string& id) {
    try {
        auto text = read_file_if_exists("config.json");
        if (!text) return id;
        JsonDoc doc = JsonDoc::parse(*text, "config.json");
        if (auto ann = doc.root().get("annotations"))
            if (auto sb = ann->get("io.kubernetes.cri.sandbox-id")) return sb->as_string();
    } catch (const std::exception&) {
    }
    return id;
}

bool can_connect(const std::string& address) {
    try {
        ttrpc::connect_unix(address);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

std::string shim_socket_address(const std::string& containerd_address, const std::string& ns, const std::string& id) {
    std::string key = containerd_address + "/" + ns + "/" + id;
    char hex[SHA256_DIGEST_STRING_LENGTH];
    SHA256Data(reinterpret_cast<const uint8_t*>(key.data()), key.size(), hex);
    return std::string("unix://") + kSocketDir + "/" + hex;
}

int run_start(const ShimFlags& flags) {
    if (flags.id.empty()) throw UsageError("start: -id is required");
    std::string address = shim_socket_address(flags.address, flags.ns, group_id(flags.id));
    mkdir_p(kSocketDir, 0711);
    UniqueFd listener;
    try {
        listener = ttrpc::listen_unix(address);
    } catch (const SysError& e) {
        if (e.code() != EADDRINUSE) throw;
        if (can_connect(address)) {
            // A live shim already serves this group: containerd talks to it.
            write_file_atomic("address", address);
            fputs(address.c_str(), stdout);
            return 0;
        }
        ttrpc::remove_socket(address);  // left by a shim that died
        listener = ttrpc::listen_unix(address);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        ttrpc::remove_socket(address);
        throw SysError(err, "fork the shim daemon");
    }
    if (pid == 0) {
        // The daemon: its own session, and none of containerd's pipes, so `start` can return.
        setsid();
        int devnull = open("/dev/null", O_RDWR);
        for (int fd = 0; fd < 3; fd++) dup2(devnull, fd);
        if (devnull > 2) close(devnull);
        int rc = 1;
        try {
            rc = serve(flags, std::move(listener), address);
        } catch (...) {
        }
        _exit(rc);
    }
    listener.reset();
    try {
        write_file_atomic("address", address);
        write_file_atomic("shim.pid", std::to_string(pid));
    } catch (...) {
        kill(pid, SIGKILL);
        ttrpc::remove_socket(address);
        throw;
    }
    fputs(address.c_str(), stdout);
    return 0;
}

}  // namespace mogu::shim
