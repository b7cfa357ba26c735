#include "kvm-launcher/host/member_keeper.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "kvm-launcher/host/agent_client.h"
#include "kvm-launcher/host/keeper_proxy.h"
#include "kvm-launcher/host/keeper_signals.h"
#include "runtime/proc_info.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/socket.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <optional>
#include <thread>

namespace mogu::vm {
namespace {

namespace v1 = agent::v1;

constexpr int kCreateTimeoutMs = 120000;
constexpr int kRemoveTimeoutMs = 10000;

[[noreturn]] void fail(MemberPlan& plan, UniqueFd& report, const std::string& why) {
    write_keeper_report(report.get(), why);
    report.reset();
    ::unlink(path_join(plan.dir, VmDir::kSocket).c_str());
    _exit(1);
}

}  // namespace

void run_member_keeper(MemberPlan& plan, UniqueFd report) {
    signal(SIGPIPE, SIG_IGN);
    sigset_t set = keeper_signal_set();  // forwarded once the container is made; none is lost
    sigprocmask(SIG_BLOCK, &set, nullptr);
    const std::string& id = plan.state.id;
    std::optional<AgentClient> sandbox;
    UniqueFd listener, tty;
    try {
        sandbox.emplace(AgentClient::connect(plan.sandbox_socket, plan.state.sandbox));
    } catch (const std::exception& e) {
        fail(plan, report, fmt::format("pod sandbox {}: {}", plan.state.sandbox, e.what()));
    }
    ttrpc::Client& client = sandbox->raw();
    auto r = client.call(kAgentService, "CreateContainer", plan.request.SerializeAsString(), kCreateTimeoutMs);
    if (!r.status.ok()) fail(plan, report, r.status.message);
    try {
        auto& st = plan.state;
        st.pid = getpid();
        if (auto ps = runtime::read_proc_stat(st.pid)) st.pid_start = ps->start_time;
        write_file_atomic(path_join(plan.dir, VmDir::kStateFile), state_to_json(st), 0600);
        listener = ttrpc::listen_unix(path_join(plan.dir, VmDir::kSocket));
        if (!plan.console_socket.empty()) {
            tty = UniqueFd(open_console_for(plan.console_socket));
            ioctl(tty.get(), TIOCSCTTY, 0);  // the shim's resizes of the master arrive as SIGWINCH
        }
    } catch (const std::exception& e) {
        client.call(kAgentService, "RemoveContainer", container_request(id).SerializeAsString(), kRemoveTimeoutMs);
        fail(plan, report, e.what());
    }
    write_keeper_report(report.get(), "ok");
    report.reset();

    ttrpc::EventLoop loop;
    KeeperProxy proxy(loop, client, std::move(listener));
    HostStdio stdio = plan.stdio;
    if (tty) stdio = {-1, -1, -1, tty.get()};
    StdioPump pump(client, id, "", stdio);
    SignalForwarder signals(loop, client, id, pump);
    std::optional<v1::WaitResponse> waited;
    std::string lost;
    std::thread([&] {
        auto w = client.call(kAgentService, "WaitProcess", process_request(id, "").SerializeAsString());
        v1::WaitResponse resp;
        bool ok = w.status.ok() && resp.ParseFromString(w.payload);
        loop.post([&, ok, resp, why = w.status.message] {
            if (ok) waited = resp;
            else lost = why;
            loop.stop();
        });
    }).detach();
    loop.run();

    VmExit e;
    if (waited) {
        pump.join_output();
        e = exit_of(*waited);
    } else {
        e.error = fmt::format("the pod's VM (sandbox {}) stopped before the container's process exited ({})",
                              plan.state.sandbox, lost);
        log::error("{}: {}", id, e.error);
    }
    try {
        write_exit(plan.dir, e);
    } catch (const std::exception& ex) {
        log::error("{}: {}", id, ex.what());
    }
    ::unlink(path_join(plan.dir, VmDir::kSocket).c_str());
    _exit(e.exit_code);  // threads blocked on the connection go with the process
}

}  // namespace mogu::vm
