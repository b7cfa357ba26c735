// Device nodes in the container's /dev: the defaults every container gets (null, zero, full,
// tty, random, urandom), the spec's linux.devices, and the standard /dev symlinks.
#pragma once

#include "common/oci/spec.h"

#include <vector>

namespace mogu::runtime {

const std::vector<oci::Device>& default_devices();
// Defaults merged with the spec's devices (a spec entry with the same path wins).
std::vector<oci::Device> container_devices(const oci::Spec& spec);
// Device-cgroup rules: the spec's rules followed by runc's fixed allow list (mknod of any node,
// the default devices, the pseudo-terminals, tun). Devices in linux.devices get no rule of
// their own: the spec's rules are the policy.
std::vector<oci::DeviceRule> device_cgroup_rules(const oci::Spec& spec);

// Creates the nodes inside root. In a user namespace mknod is not allowed: the host's node is
// bind-mounted onto an empty file instead.
void create_devices(int root_fd, const std::vector<oci::Device>& devices, bool bind_from_host);
// /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr, /dev/core, and /dev/ptmx -> pts/ptmx.
void create_dev_symlinks(int root_fd);

}  // namespace mogu::runtime
