// A pod's network reaching its VM, as Kata's "tcfilter" model does it: CNI set up eth0 in the
// pod's network namespace (a veth on the node's bridge, the pod's IP); a tap made in that
// namespace becomes the guest's virtio-net NIC, and two tc mirred redirects (ingress of eth0 ->
// tap, ingress of the tap -> eth0) pass every frame between them untouched. The guest's NIC takes
// eth0's MAC, MTU, addresses and routes, so to the node the pod is where CNI put it. The tap
// lives as long as its fd (QEMU's): nothing to remove when the VM ends; CNI's DEL removes eth0.
#pragma once

#include "common/fd.h"
#include "common/oci/spec.h"
#include "kvm-launcher/proto/agent.pb.h"

#include <optional>
#include <string>

namespace mogu::vm {

inline constexpr const char* kPodInterface = "eth0";  // what containerd's CRI asks CNI for
inline constexpr const char* kPodTap = "mogu-tap0";

struct PodNetwork {
    UniqueFd tap;                               // for QEMU (-netdev tap,fd=)
    agent::v1::NetworkInterface guest;          // what the guest's NIC gets
};

// Enters the namespace (on a thread of its own: the caller's stays where it is), reads eth0,
// makes the tap and the redirects. nullopt when the namespace has no eth0 (logged): the VM runs
// without a network device. Errors name the step and quote ip's or tc's message.
std::optional<PodNetwork> connect_pod_network(const std::string& netns_path);

// The network namespace path a spec joins (linux.namespaces type network), or "".
std::string spec_netns_path(const oci::Spec& spec);

}  // namespace mogu::vm
