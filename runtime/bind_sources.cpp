#include "runtime/bind_sources.h"

#include "common/error.h"
#include "runtime/child_process.h"
#include "runtime/linux/mounts.h"
#include "runtime/sync_socket.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {

std::vector<BindSource> bind_sources_of(const oci::Spec& spec, const lxcfs::Views* views) {
    std::vector<BindSource> out;
    for (size_t i = 0; i < spec.mounts.size(); ++i) {
        const oci::Mount& m = spec.mounts[i];
        if (is_bind_mount(m)) out.push_back({m.source, fmt::format("mounts[{}] ({}): bind source \"{}\"", i, m.destination, m.source)});
        else out.push_back({});
    }
    if (views)
        for (const auto& file : views->files) {
            std::string path = views->mount_point + "/" + file;
            out.push_back({path, fmt::format("LXCFS view {}", path)});
        }
    return out;
}

bool needs_bind_sources(const std::vector<BindSource>& sources, bool in_user_namespace) {
    if (!in_user_namespace) return false;
    for (const auto& s : sources)
        if (!s.path.empty()) return true;
    return false;
}

void send_bind_sources(pid_t init, int sync_fd, const std::vector<BindSource>& sources) {
    UniqueFd mnt_ns(::open(fmt::format("/proc/{}/ns/mnt", init).c_str(), O_RDONLY | O_CLOEXEC));
    if (!mnt_ns) throw SysError(errno, "open the mount namespace of the container's init {}", init);
    // A child of our own joins it: setns into a mount namespace is refused to a process whose
    // filesystem attributes are shared (any thread of a multi-threaded caller, like a shim).
    pid_t helper = ::fork();
    if (helper < 0) throw SysError(errno, "fork to open the bind mounts' sources");
    if (helper == 0) {
        std::string message;
        try {
            if (::setns(mnt_ns.get(), CLONE_NEWNS) < 0) throw SysError(errno, "join the container's mount namespace");
            for (size_t i = 0; i < sources.size(); ++i) {
                if (sources[i].path.empty()) continue;
                UniqueFd source(::open(sources[i].path.c_str(), O_PATH | O_CLOEXEC));
                if (!source) throw SysError(errno, "{}", sources[i].what);
                sync_send_with_fd(sync_fd, {SyncType::bind_source, static_cast<int32_t>(i)}, source.get());
            }
            ::_exit(0);
        } catch (const std::exception& e) {
            message = e.what();
        }
        try {
            sync_send(sync_fd, {SyncType::error, 0, message});
        } catch (...) {
        }
        ::_exit(1);
    }
    ChildProcess child(helper);
    int status = child.wait();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return;  // it told the init why; the init tells us
    sync_send(sync_fd, {SyncType::bind_sources_done});
}

std::map<size_t, UniqueFd> receive_bind_sources(int sync_fd) {
    sync_send(sync_fd, {SyncType::bind_sources_request});
    std::map<size_t, UniqueFd> fds;
    for (;;) {
        auto m = sync_recv(sync_fd);
        if (!m) throw Error("the runtime went away while sending the bind mounts' sources");
        if (m->type == SyncType::error) throw Error("{}", m->text);
        if (m->type == SyncType::bind_sources_done) return fds;
        if (m->type != SyncType::bind_source || !m->fd || m->value < 0) throw Error("unexpected message while receiving the bind mounts' sources");
        fds[static_cast<size_t>(m->value)] = std::move(m->fd);
    }
}

}  // namespace mogu::runtime
