// Which controller each part of linux.resources needs, and the check that a host has them all
// before anything is written: a spec asking for a limit nobody can enforce is refused, naming the
// field, instead of running a container without it.
#pragma once

#include "common/oci/spec.h"

#include <set>
#include <string>

namespace mogu::cgroups {

// Controller names as the kernel spells them, plus "devices" and "freezer" for v2, which does
// those itself (eBPF and cgroup.freeze).
using Controllers = std::set<std::string>;

// What containerd and Docker send for "no limit": Docker writes blockIO.weight 0, cpu.shares 0
// and disableOOMKiller false into every spec, and `docker update` sends 0 for every field it does
// not change. runc reads 0 (and -1 for swappiness, false for disableOOMKiller) as "not set"; so do
// we. The result holds only the values that ask for something; the drivers apply nothing else.
oci::Resources without_unset_values(const oci::Resources& r);

// Whether any field asks for a limit (after without_unset_values): a rootless container without
// a cgroup may run only when none does.
bool has_limits(const oci::Resources& r);

bool memory_set(const oci::MemoryResources& m);
bool cpu_bandwidth_set(const oci::CpuResources& c);  // shares, quota, period, realtime, idle
bool cpuset_set(const oci::CpuResources& c);         // cpus, mems
bool block_io_set(const oci::BlockIoResources& b);
bool network_set(const oci::NetworkResources& n);

// Throws SpecError naming the first field whose controller is not in `available`, or a huge
// page size the host does not have.
// `unified_available`: whether linux.resources.unified has a v2 hierarchy to go to.
void check_available(const oci::Resources& r, const Controllers& available, bool unified_available);

}  // namespace mogu::cgroups
