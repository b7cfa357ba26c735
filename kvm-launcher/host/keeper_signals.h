// What both kinds of keeper (a VM's, and a pod container's in its sandbox's VM) do with signals:
// those sent to the keeper go to the container's init in the guest, as they would to runc's
// init; SIGWINCH resizes the process's terminal. The report pipe create reads, and the exit
// record (exit.json) of what the agent answered to WaitProcess.
#pragma once

#include "common/fd.h"
#include "common/vm_state_record.h"
#include "kvm-launcher/proto/agent.pb.h"
#include "kvm-launcher/host/stdio_pump.h"
#include "ttrpc/client.h"
#include "ttrpc/event_loop.h"

#include <signal.h>

#include <string>

namespace mogu::vm {

// The signals a keeper forwards (plus SIGWINCH). Block them before anything else, so that none
// sent while the container is made is lost: the forwarder reads them from a signalfd.
sigset_t keeper_signal_set();

class SignalForwarder {
public:
    SignalForwarder(ttrpc::EventLoop& loop, ttrpc::Client& agent, std::string id, StdioPump& pump);
    ~SignalForwarder();
    SignalForwarder(const SignalForwarder&) = delete;
    SignalForwarder& operator=(const SignalForwarder&) = delete;

private:
    ttrpc::EventLoop& loop_;
    ttrpc::Client& agent_;
    std::string id_;
    StdioPump& pump_;
    UniqueFd fd_;
};

// "ok", or the error create rethrows (read_keeper_report in keeper.h).
void write_keeper_report(int fd, const std::string& msg);

// The container's end as the agent reported its init's exit.
VmExit exit_of(const agent::v1::WaitResponse& waited);

}  // namespace mogu::vm
