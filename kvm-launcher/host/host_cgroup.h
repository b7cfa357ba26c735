// The keeper and its QEMU live in the container's cgroup on the host (linux.cgroupsPath, where
// runc would put the init), so what the VM costs the host is accounted there and a shim's Stats
// read it. No limits are written on the host: the guest's own cgroup enforces the spec's, and a
// host memory limit would have to fit QEMU's overhead too. Removed by delete.
#pragma once

#include "common/oci/spec.h"
#include "runtime/cgroups/cgroup.h"

#include <memory>
#include <string>

namespace mogu::vm {

// nullptr (and a warning in the log) when no cgroup can be made here: the VM runs without one.
std::unique_ptr<cgroups::Cgroup> create_host_cgroup(const oci::Spec& spec, const std::string& id);
// Removes it once its processes are gone; a missing one is fine.
void remove_host_cgroup(const std::string& path);

}  // namespace mogu::vm
