#include "kvm-launcher/host/host_cgroup.h"

#include "common/log.h"

namespace mogu::vm {
namespace {

cgroups::Manager& manager() {
    static std::unique_ptr<cgroups::Manager> m = cgroups::detect();
    return *m;
}

}  // namespace

std::unique_ptr<cgroups::Cgroup> create_host_cgroup(const oci::Spec& spec, const std::string& id) {
    try {
        std::string wanted = spec.linux ? spec.linux->cgroups_path : "";
        cgroups::CgroupPath path = cgroups::resolve_path(wanted, id, manager().own_cgroup());
        return manager().create(path);
    } catch (const std::exception& e) {
        log::warn("{}: the VM runs without a cgroup of its own on the host: {}", id, e.what());
        return nullptr;
    }
}

void remove_host_cgroup(const std::string& path) {
    if (path.empty()) return;
    try {
        manager().open(cgroups::CgroupPath{path})->destroy();
    } catch (const std::exception& e) {
        log::warn("removing the VM's host cgroup {}: {}", path, e.what());
    }
}

}  // namespace mogu::vm
