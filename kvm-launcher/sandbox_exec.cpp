// exec: another process in a running VM container, its stdio copied by this process or, with
// --detach, by a child that stays behind and exits with the process's exit code.
#include "kvm-launcher/sandbox.h"

#include "common/error.h"
#include "common/json.h"
#include "common/log.h"
#include "kvm-launcher/host/fds.h"
#include "kvm-launcher/host/keeper.h"
#include "kvm-launcher/host/keeper_signals.h"
#include "kvm-launcher/host/stdio_pump.h"
#include "kvm-launcher/sandbox_detail.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

namespace mogu::vm {
namespace {

namespace v1 = agent::v1;
using namespace detail;

bool json_terminal(const std::string& process_json, const std::string& source) {
    JsonDoc doc = JsonDoc::parse(process_json, source);
    auto t = doc.root().get("terminal");
    return t && t->as_bool();
}

}  // namespace

int exec(const Context& ctx, const ExecOptions& opts) {
    VmDir dir = VmDir::open(ctx.root, opts.id, false);
    VmState st = dir.read_state();
    if (!keeper_alive(st)) throw Error("container {} is not running", opts.id);
    bool terminal = json_terminal(opts.process_json, "process.json");
    if (terminal && opts.console_socket.empty())
        throw Error("the process has a terminal: exec needs --console-socket to hand it over");
    static std::atomic<unsigned> seq{0};
    std::string exec_id = fmt::format("exec-{}-{}-{}", getpid(), seq++, random_suffix());
    std::string socket = dir.file(VmDir::kSocket);

    // Connects, starts the process, then copies its stdio and waits: in this process, or in a
    // detached child that exits with the process's exit code.
    auto begin = [&](std::unique_ptr<AgentClient>& c, UniqueFd& tty) {
        c = std::make_unique<AgentClient>(AgentClient::connect(socket, opts.id));
        if (terminal) tty = UniqueFd(open_console_for(opts.console_socket));
        v1::ExecProcessRequest req;
        req.set_id(opts.id);
        req.set_exec_id(exec_id);
        req.set_process_json(opts.process_json);
        c->call<v1::Empty>("ExecProcess", req, kCallTimeoutMs);
    };
    auto finish = [&](AgentClient& c, int tty) {
        HostStdio stdio;
        if (tty >= 0) stdio = {-1, -1, -1, tty};
        StdioPump pump(c.raw(), opts.id, exec_id, stdio);
        if (tty >= 0) {
            // Resizes of the master (by whoever got it) arrive as SIGWINCH, blocked since the start.
            std::thread([&pump] {
                sigset_t winch;
                sigemptyset(&winch);
                sigaddset(&winch, SIGWINCH);
                for (int sig; sigwait(&winch, &sig) == 0;) pump.resize();
            }).detach();
        }
        auto r = c.raw().call(kAgentService, "WaitProcess", process_request(opts.id, exec_id).SerializeAsString());
        v1::WaitResponse w;
        if (!r.status.ok() || !w.ParseFromString(r.payload)) {
            log::error("{}: waiting for {}: {}", opts.id, exec_id, r.status.message);
            return 255;
        }
        pump.join_output();
        return w.exit_code();
    };

    sigset_t winch;
    sigemptyset(&winch);
    sigaddset(&winch, SIGWINCH);
    if (terminal) pthread_sigmask(SIG_BLOCK, &winch, nullptr);
    if (!opts.detach) {
        std::unique_ptr<AgentClient> c;
        UniqueFd tty;
        begin(c, tty);
        return finish(*c, tty.get());
    }
    pid_t child = fork_reporting_child({}, nullptr, [&](UniqueFd report) {
        signal(SIGPIPE, SIG_IGN);
        std::unique_ptr<AgentClient> c;
        UniqueFd tty;
        try {
            begin(c, tty);
        } catch (const std::exception& e) {
            write_keeper_report(report.get(), e.what());
            _exit(1);
        }
        write_keeper_report(report.get(), "ok");
        report.reset();
        if (tty) ioctl(tty.get(), TIOCSCTTY, 0);
        _exit(finish(*c, tty.get()));
    });
    write_pid_file(opts.pid_file, child);
    return 0;
}

}  // namespace mogu::vm
