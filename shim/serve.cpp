#include "shim/serve.h"

#include "common/error.h"
#include "common/log.h"
#include "shim/task/publisher.h"
#include "shim/task/task_service.h"
#include "ttrpc/server.h"
#include "ttrpc/socket.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::shim {
namespace {

// containerd copies the `log` FIFO in the bundle into its own log, as logrus text lines like
// the Go shims write. Opened non-blocking so a missing reader never stalls the shim; then
// reopened through /proc for ordinary writes.
void open_log(bool debug) {
    int fd = open("log", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        log::configure("/dev/null", log::Format::text, debug);
        return;
    }
    log::configure(fmt::format("/proc/self/fd/{}", fd), log::Format::text, debug);
    close(fd);
}

}  // namespace

int serve(const ShimFlags& flags, UniqueFd listener, const std::string& address) {
    open_log(flags.debug);
    mallopt(M_ARENA_MAX, 1);  // one malloc arena: the publisher thread needs no arena of its own
    signal(SIGPIPE, SIG_IGN);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) log::warn("become child subreaper: {}", strerror(errno));

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    UniqueFd sigfd(check(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK), "signalfd"));

    ttrpc::EventLoop loop;
    Publisher events(flags.ttrpc_address, flags.ns);
    TaskService service(loop, events, flags.ns, [&loop] { loop.stop(); });
    ttrpc::Server server(loop);
    server.on_protocol_error = [](const std::string& what) { log::warn("ttrpc: {}", what); };
    service.register_methods(server);
    server.listen(std::move(listener));
    loop.add(sigfd.get(), EPOLLIN, [&](uint32_t) {
        struct signalfd_siginfo si;
        while (read(sigfd.get(), &si, sizeof si) == sizeof si) {
        }
        service.reap();
    });
    log::debug("serving {} on {}", flags.id, address);
    int rc = 0;
    try {
        loop.run();
    } catch (const std::exception& e) {
        log::error("shim for {}: {}", flags.id, e.what());
        rc = 1;
    }
    server.close();
    try {
        ttrpc::remove_socket(address);
    } catch (const std::exception& e) {
        log::warn("{}", e.what());
    }
    events.close(3000);  // the last events (exit, delete) still reach containerd
    return rc;
}

}  // namespace mogu::shim
