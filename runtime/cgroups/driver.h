// What the hybrid driver needs from the v1 and v2 drivers beyond the Cgroup interface: which
// controllers each one handles, applying without the host-wide check, and partial statistics.
#pragma once

#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/hierarchy.h"
#include "runtime/cgroups/resources.h"

#include <memory>
#include <vector>

namespace mogu::cgroups {

class Driver : public Cgroup {
public:
    virtual const Controllers& owned() const = 0;
    // Checks, without writing, the parts of `r` this driver owns; throws SpecError.
    virtual void validate(const oci::Resources& r) const = 0;
    // Writes the parts of `r` this driver owns; check_available() and validate() were done.
    virtual void apply_owned(const oci::Resources& r) = 0;
    virtual void fill_stats(Stats& s, StatsDetail detail) const = 0;
};

// `create`: make the directories (and own them until release()); otherwise open existing ones.
std::unique_ptr<Driver> make_v1_driver(const std::vector<Hierarchy>& hierarchies, const CgroupPath& path, bool create);
// `available`: the controllers of the hierarchy's root cgroup.controllers (root_controllers());
// `owned_extra`: what v2 handles besides those ("devices" with eBPF, "freezer" with
// cgroup.freeze, "cpuacct" from the core cpu.stat); `exclude`: controllers another (v1) driver
// handles.
std::unique_ptr<Driver> make_v2_driver(const Hierarchy& unified, const Controllers& available, const CgroupPath& path, bool create,
                                       const Controllers& owned_extra, const Controllers& exclude);
// What the cgroup2 hierarchy can give at all: its root's cgroup.controllers. It changes only when
// v1 hierarchies are mounted or unmounted, which a Manager's hierarchies do not follow either.
Controllers root_controllers(const Hierarchy& unified);
std::unique_ptr<Cgroup> make_hybrid_cgroup(std::unique_ptr<Driver> v1, std::unique_ptr<Driver> v2);

}  // namespace mogu::cgroups
