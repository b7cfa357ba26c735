#include "runtime/linux/namespaces.h"

#include "common/error.h"
#include "common/log.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace mogu::runtime {

bool NamespacePlan::has(oci::NamespaceType t) const {
    if (creates(t)) return true;
    for (const auto& j : join)
        if (j.type == t) return true;
    return false;
}

bool NamespacePlan::creates(oci::NamespaceType t) const {
    if (t == oci::NamespaceType::cgroup) return unshare_cgroup;
    return clone_flags & oci::namespace_clone_flag(t);
}

bool spec_creates_namespace(const oci::Linux& linux, oci::NamespaceType t) {
    for (const auto& ns : linux.namespaces)
        if (ns.type == t && ns.path.empty()) return true;
    return false;
}

NamespacePlan plan_namespaces(const oci::Linux& linux) {
    NamespacePlan plan;
    for (size_t i = 0; i < linux.namespaces.size(); ++i) {
        const auto& ns = linux.namespaces[i];
        if (ns.path.empty()) {
            if (ns.type == oci::NamespaceType::cgroup) plan.unshare_cgroup = true;
            else plan.clone_flags |= oci::namespace_clone_flag(ns.type);
            continue;
        }
        UniqueFd fd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw SysError(errno, "linux.namespaces[{}].path: open {}", i, ns.path);
        plan.join.push_back({ns.type, std::move(fd), ns.path});
    }
    // A user namespace must be entered first: it owns the others.
    std::stable_sort(plan.join.begin(), plan.join.end(), [](const NamespaceToJoin& a, const NamespaceToJoin& b) {
        return (a.type == oci::NamespaceType::user) > (b.type == oci::NamespaceType::user);
    });
    return plan;
}

void join_namespaces(const NamespacePlan& plan) {
    for (const auto& j : plan.join) {
        if (::setns(j.fd.get(), oci::namespace_clone_flag(j.type)) < 0)
            throw SysError(errno, "join {} namespace {}", oci::namespace_type_name(j.type), j.path);
        log::debug("init: joined {} namespace {}", oci::namespace_type_name(j.type), j.path);
    }
}

std::vector<NamespaceToJoin> open_process_namespaces(pid_t pid) {
    using T = oci::NamespaceType;
    std::vector<NamespaceToJoin> out;
    struct stat self_st, other_st;
    for (T t : {T::user, T::ipc, T::uts, T::network, T::pid, T::cgroup, T::time, T::mount}) {
        std::string name = oci::namespace_proc_name(t);
        std::string path = "/proc/" + std::to_string(pid) + "/ns/" + name;
        // Only enter namespaces that differ from ours: setns into our own user namespace fails.
        std::string self = "/proc/self/ns/" + name;
        if (::stat(path.c_str(), &other_st) < 0) {
            if (errno == ENOENT) continue;  // the kernel lacks this namespace type
            throw SysError(errno, "stat {}", path);
        }
        if (::stat(self.c_str(), &self_st) == 0 && self_st.st_ino == other_st.st_ino && self_st.st_dev == other_st.st_dev) continue;
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw SysError(errno, "open {}", path);
        out.push_back({t, std::move(fd), path});
    }
    return out;
}

}  // namespace mogu::runtime
