#include "kvm-launcher/host/keeper.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "kvm-launcher/host/agent_client.h"
#include "kvm-launcher/host/boot.h"
#include "kvm-launcher/host/keeper_proxy.h"
#include "kvm-launcher/host/keeper_signals.h"
#include "runtime/proc_info.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/socket.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <optional>
#include <thread>

namespace mogu::vm {
namespace {

namespace v1 = agent::v1;

// After the init's exit status is in, the agent powers off once its output is delivered; this
// long without QEMU exiting, the keeper asks, then pulls the plug.
constexpr int kPowerOffGraceMs = 10000;
constexpr int kCreateTimeoutMs = 120000;

class Keeper {
public:
    Keeper(KeeperPlan& plan) : plan_(plan) {}

    // Boots and creates the container; throws on failure (the caller then kills QEMU: kill_vm).
    void boot_and_create() {
        try {
            vm_ = boot_vm(plan_.qemu, plan_.boot_timeout_ms);
        } catch (const std::exception& e) {
            if (!plan_.machine_fallback || plan_.qemu.machine != Machine::microvm || !qemu_lacks_machine(plan_.qemu.qemu_log))
                throw;
            log::warn("{}: {} has no microvm machine; booting q35 instead", plan_.state.id, plan_.qemu.qemu);
            plan_.qemu.machine = Machine::q35;
            vm_ = boot_vm(plan_.qemu, plan_.boot_timeout_ms);
        }
        plan_.state.machine = machine_name(plan_.qemu.machine);
        log::info("{}: guest kernel {} booted on {} in {} ms ({}, {} vCPUs, {} MiB)", plan_.state.id, vm_.ping.kernel_release(),
                  accel_name(plan_.qemu.accel), vm_.boot_ms, machine_name(plan_.qemu.machine), plan_.qemu.vcpus,
                  plan_.qemu.memory_mib);
        auto r = vm_.client->call(kAgentService, "CreateContainer", plan_.request.SerializeAsString(), kCreateTimeoutMs);
        if (!r.status.ok()) {
            std::string why = r.status.message;
            // The runtime's own errors say it all; anything else (a guest crash) needs the console.
            size_t lines = log::debug_enabled() ? 60 : r.status.code == ttrpc::Code::unknown ? 0 : 8;
            if (auto g = log_tail(plan_.qemu.console_log, lines); lines && !g.empty()) why += "\n  last guest console lines:" + g;
            throw Error("{}", why);
        }
        auto& st = plan_.state;
        st.pid = getpid();
        if (auto ps = runtime::read_proc_stat(st.pid)) st.pid_start = ps->start_time;
        st.qemu_pid = vm_.qemu.pid();
        if (auto ps = runtime::read_proc_stat(st.qemu_pid)) st.qemu_start = ps->start_time;
        st.kernel = vm_.ping.kernel_release();
        write_file_atomic(path_join(plan_.dir, VmDir::kStateFile), state_to_json(st), 0600);
        listener_ = ttrpc::listen_unix(path_join(plan_.dir, VmDir::kSocket));
        if (!plan_.console_socket.empty()) {
            tty_ = UniqueFd(open_console_for(plan_.console_socket));
            // The slave as controlling terminal: the shim's resizes of the master arrive as SIGWINCH.
            ioctl(tty_.get(), TIOCSCTTY, 0);
        }
    }

    [[noreturn]] void supervise() {
        ttrpc::EventLoop loop;
        KeeperProxy proxy(loop, *vm_.client, std::move(listener_));
        HostStdio stdio = plan_.stdio;
        if (tty_) stdio = {-1, -1, -1, tty_.get()};
        StdioPump pump(*vm_.client, plan_.state.id, "", stdio);

        SignalForwarder signals(loop, *vm_.client, plan_.state.id, pump);  // blocked since the keeper began

        // The init's exit status, from a thread blocked in WaitProcess.
        UniqueFd timer(check(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK), "timerfd"));
        std::thread([this, &loop, &timer] {
            auto r = vm_.client->call(kAgentService, "WaitProcess", process_request(plan_.state.id, "").SerializeAsString());
            v1::WaitResponse w;
            if (!r.status.ok() || !w.ParseFromString(r.payload)) return;  // the VM went: QEMU's exit tells
            loop.post([this, &timer, w] {
                waited_ = w;
                itimerspec its{};
                its.it_value.tv_sec = kPowerOffGraceMs / 1000;
                timerfd_settime(timer.get(), 0, &its, nullptr);
            });
        }).detach();
        bool asked = false;
        loop.add(timer.get(), EPOLLIN, [&](uint32_t) {
            uint64_t ticks;
            ssize_t n = ::read(timer.get(), &ticks, sizeof ticks);
            (void)n;
            if (!asked) {
                asked = true;
                log::warn("{}: the VM did not power off after the container ended; asking it to", plan_.state.id);
                std::thread([this] { vm_.client->call(kAgentService, "Shutdown", v1::Empty().SerializeAsString(), 2000); }).detach();
                itimerspec its{};
                its.it_value.tv_sec = 5;
                timerfd_settime(timer.get(), 0, &its, nullptr);
            } else {
                log::warn("{}: the VM ignored the shutdown request; killing QEMU", plan_.state.id);
                vm_.qemu.kill();
                loop.stop();
            }
        });
        loop.add(vm_.qemu.pidfd(), EPOLLIN, [&](uint32_t) {
            loop.remove(vm_.qemu.pidfd());
            loop.stop();
        });
        loop.run();

        int status = 0;
        vm_.qemu.try_reap(&status);
        VmExit e;
        if (waited_) {
            pump.join_output();  // the agent delivered all output before powering off
            e = exit_of(*waited_);
        } else {
            e.exit_code = 255;
            e.error = fmt::format("the VM stopped before the container's process exited: {}", describe_exit(status));
            if (auto g = log_tail(plan_.qemu.console_log, 8); !g.empty()) e.error += "; last guest console lines:" + g;
            log::error("{}: {}", plan_.state.id, e.error);
        }
        finish(e);
    }

    void kill_vm() { vm_.qemu.kill(); }

    [[noreturn]] void finish(const VmExit& e) {
        try {
            write_exit(plan_.dir, e);
        } catch (const std::exception& ex) {
            log::error("{}: {}", plan_.state.id, ex.what());
        }
        ::unlink(path_join(plan_.dir, VmDir::kSocket).c_str());
        plan_.image = RootfsImage();  // the disk is not needed once the VM is off
        vm_.qemu.kill();
        _exit(e.exit_code);  // threads blocked on the closed connection go with the process
    }

private:
    KeeperPlan& plan_;
    BootedVm vm_;
    UniqueFd listener_, tty_;
    std::optional<v1::WaitResponse> waited_;  // the init's exit, as the agent answered WaitProcess
};

}  // namespace

void run_keeper(KeeperPlan& plan, UniqueFd report) {
    signal(SIGPIPE, SIG_IGN);
    // Signals (and terminal resizes) that come while the VM boots wait for the signalfd.
    sigset_t set = keeper_signal_set();
    sigprocmask(SIG_BLOCK, &set, nullptr);
    Keeper k(plan);
    try {
        k.boot_and_create();
    } catch (const std::exception& e) {
        k.kill_vm();
        write_keeper_report(report.get(), e.what());
        report.reset();
        ::unlink(path_join(plan.dir, VmDir::kSocket).c_str());
        plan.image = RootfsImage();
        _exit(1);
    }
    write_keeper_report(report.get(), "ok");
    report.reset();
    k.supervise();
}

void read_keeper_report(int fd) {
    std::string msg;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        msg.append(buf, size_t(n));
    }
    if (msg == "ok") return;
    if (msg.empty()) throw Error("the VM keeper died before it reported");
    throw Error("{}", msg);
}

}  // namespace mogu::vm
