// mogu-agent: PID 1 of a mogu-vm guest. Sets the guest up, then serves the Agent ttrpc service
// on the virtio-serial port "mogu.ctl" until the container has finished or the host asks it to
// power off.
#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"
#include "kvm-launcher/agent/agent_service.h"
#include "kvm-launcher/agent/guest_boot.h"
#include "kvm-launcher/agent/port_bridge.h"
#include "runtime/linux/loopback.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

using namespace mogu;
using namespace mogu::vm::agent;

namespace {

constexpr const char* kControlPort = "mogu.ctl";
constexpr int kPortTimeoutMs = 10000;
// Time for the last answer to cross the port before the VM goes.
constexpr long kPowerOffDelayNs = 50'000'000;

int serve() {
    ttrpc::EventLoop loop;

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, nullptr);
    signal(SIGPIPE, SIG_IGN);
    UniqueFd sigfd(check(signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK), "signalfd"));

    std::string port_path = find_virtio_port(kControlPort, kPortTimeoutMs);
    UniqueFd port(::open(port_path.c_str(), O_RDWR | O_CLOEXEC | O_NOCTTY));
    if (!port) throw SysError(errno, "open {}", port_path);
    PortBridge bridge(loop, std::move(port), kPortTimeoutMs);
    ttrpc::Server server(loop);
    server.on_protocol_error = [](const std::string& why) { log::warn("control channel: {}", why); };
    server.add_connection(bridge.take_server_end());
    AgentService service(loop, server);

    UniqueFd timer(check(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK), "timerfd"));
    loop.add(timer.get(), EPOLLIN, [](uint32_t) { power_off(); });
    service.on_power_off = [&] {
        itimerspec its{};
        its.it_value.tv_nsec = kPowerOffDelayNs;
        timerfd_settime(timer.get(), 0, &its, nullptr);
    };
    bridge.on_host_gone = [] {
        log::warn("the host closed the control port; powering off");
        power_off();
    };
    loop.add(sigfd.get(), EPOLLIN, [&](uint32_t) {
        signalfd_siginfo si;
        while (::read(sigfd.get(), &si, sizeof si) > 0) {
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) service.child_exited(pid, status);
    });
    log::debug("mogu-agent {} serving on {} (up {} ms)", kAgentVersion, port_path, uptime_ms());
    if (log::debug_enabled()) log::debug("mounts:\n{}", read_file("/proc/self/mountinfo"));
    loop.run();
    return 0;
}

}  // namespace

int main() {
    if (getpid() != 1) {
        fprintf(stderr, "mogu-agent: runs as PID 1 of a mogu-vm guest (it mounts, loads modules and powers off)\n");
        return 1;
    }
    try {
        mount_proc();
        std::string groups = kernel_param("mogu.modules");
        bool debug = kernel_param("mogu.debug") == "1";
        load_module_groups(split(groups.empty() ? "base" : groups, ','), debug);
        leave_initramfs();
        mount_kernel_filesystems();
        // The VM's own network namespace is a pod's (its containers share it): localhost works.
        runtime::bring_up_loopback();
        log::configure("", log::Format::text, debug);
        return serve();
    } catch (const std::exception& e) {
        fprintf(stderr, "mogu-agent: %s\n", e.what());
    }
    power_off();
}
