// The pod's network device in the guest: the virtio-net NIC whose MAC the host gave gets the
// pod's MTU, IPv4 addresses and routes (CNI's, read from the pod's eth0 on the host), in the VM's
// own network namespace, which the pod's containers share.
#pragma once

#include "kvm-launcher/proto/agent.pb.h"

#include <string>

namespace mogu::vm::agent {

// Waits up to timeout_ms for the NIC to appear; errors name the interface and the step.
// Returns the interface's name.
std::string configure_pod_network(const v1::NetworkInterface& nic, int timeout_ms);

}  // namespace mogu::vm::agent
