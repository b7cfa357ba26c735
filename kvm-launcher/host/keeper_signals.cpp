#include "kvm-launcher/host/keeper_signals.h"

#include "common/error.h"
#include "common/log.h"
#include "kvm-launcher/host/agent_client.h"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace mogu::vm {
namespace {

namespace v1 = agent::v1;

const int kForwardedSignals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGCONT, SIGALRM, SIGPWR};
constexpr int kSignalTimeoutMs = 10000;

}  // namespace

sigset_t keeper_signal_set() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : kForwardedSignals) sigaddset(&set, s);
    sigaddset(&set, SIGWINCH);
    return set;
}

SignalForwarder::SignalForwarder(ttrpc::EventLoop& loop, ttrpc::Client& agent, std::string id, StdioPump& pump)
    : loop_(loop), agent_(agent), id_(std::move(id)), pump_(pump) {
    sigset_t set = keeper_signal_set();
    fd_.reset(check(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK), "signalfd"));
    loop_.add(fd_.get(), EPOLLIN, [this](uint32_t) {
        signalfd_siginfo si;
        while (::read(fd_.get(), &si, sizeof si) == sizeof si) {
            int sig = int(si.ssi_signo);
            if (sig == SIGWINCH) {
                std::thread([this] { pump_.resize(); }).detach();
                continue;
            }
            // Off the loop: the agent may take a while, and the loop serves the keeper's socket.
            std::thread([this, sig] {
                v1::SignalRequest req;
                req.set_id(id_);
                req.set_signal(uint32_t(sig));
                auto r = agent_.call(kAgentService, "SignalProcess", req.SerializeAsString(), kSignalTimeoutMs);
                if (!r.status.ok()) log::warn("{}: forwarding signal {}: {}", id_, sig, r.status.message);
            }).detach();
        }
    });
}

SignalForwarder::~SignalForwarder() { loop_.remove(fd_.get()); }

void write_keeper_report(int fd, const std::string& msg) {
    size_t off = 0;
    while (off < msg.size()) {
        ssize_t n = ::write(fd, msg.data() + off, msg.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += size_t(n);
    }
}

VmExit exit_of(const agent::v1::WaitResponse& waited) {
    VmExit e;
    e.exit_code = waited.exit_code();
    e.oom_killed = waited.oom_killed();
    e.oom_process = waited.oom_process();
    e.oom_pid = waited.oom_pid();
    return e;
}

}  // namespace mogu::vm
