// Boots a micro-VM and waits for its agent's first answer: shared by the keeper and the KVM
// probe. A guest that stops or stays silent is an error that quotes QEMU's messages and the
// last lines of the guest's console.
#pragma once

#include "kvm-launcher/proto/agent.pb.h"
#include "kvm-launcher/host/qemu.h"
#include "ttrpc/client.h"

#include <memory>
#include <string>

namespace mogu::vm {

struct BootedVm {
    QemuProcess qemu;
    std::unique_ptr<ttrpc::Client> client;
    agent::v1::PingResponse ping;
    uint64_t boot_ms = 0;  // QEMU started -> the agent answered
};

BootedVm boot_vm(const QemuConfig& config, unsigned timeout_ms);

// The last `lines` lines of a log file, indented, for error messages ("" when empty).
std::string log_tail(const std::string& path, size_t lines);

}  // namespace mogu::vm
