#include "runtime/spec_validate.h"

#include "common/error.h"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace mogu::runtime {
namespace {

using NS = oci::NamespaceType;

bool has_ns(const oci::Spec& s, NS t) { return s.linux && s.linux->find_namespace(t); }

}  // namespace

void validate_sysctl(const oci::Spec& spec) {
    if (!spec.linux) return;
    static const char* ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                     "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
    for (const auto& [key, value] : spec.linux->sysctl) {
        std::string path = "linux.sysctl[\"" + key + "\"]";
        if (key.empty() || key.find("..") != std::string::npos || key.find('/') != std::string::npos ||
            key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != std::string::npos)
            throw SpecError(path, "\"{}\" is not a valid sysctl name", key);
        bool ipc = key.starts_with("fs.mqueue.");
        for (auto* k : ipc_keys) ipc |= key == k;
        if (ipc) {
            if (!has_ns(spec, NS::ipc)) throw SpecError(path, "sysctl \"{}\" is not allowed in the host's ipc namespace", key);
            continue;
        }
        if (key.starts_with("net.")) {
            if (!has_ns(spec, NS::network)) throw SpecError(path, "sysctl \"{}\" is not allowed in the host's network namespace", key);
            continue;
        }
        if (has_ns(spec, NS::uts)) {
            if (key == "kernel.domainname") continue;
            if (key == "kernel.hostname") throw SpecError(path, "sysctl \"{}\" conflicts with the \"hostname\" field: set that instead", key);
        }
        throw SpecError(path, "sysctl \"{}\" is not in a separate kernel namespace", key);
    }
}

std::string validate_for_create(const oci::Spec& spec, const std::string& bundle) {
    if (!spec.process) throw SpecError("process", "is required to create a container");
    if (!spec.linux) throw SpecError("linux", "is required on Linux");
    const auto& linux = *spec.linux;
    if (!has_ns(spec, NS::mount)) throw SpecError("linux.namespaces", "a mount namespace is required (add {{\"type\": \"mount\"}})");
    if ((!spec.hostname.empty()) && !has_ns(spec, NS::uts))
        throw SpecError("hostname", "cannot set a hostname without a UTS namespace in linux.namespaces");
    if ((!spec.domainname.empty()) && !has_ns(spec, NS::uts))
        throw SpecError("domainname", "cannot set a domainname without a UTS namespace in linux.namespaces");
    bool userns = has_ns(spec, NS::user);
    if ((!linux.uid_mappings.empty() || !linux.gid_mappings.empty()) && !userns)
        throw SpecError("linux.uidMappings", "id mappings need a user namespace in linux.namespaces");
    if (userns && !linux.find_namespace(NS::user)->path.empty() && (!linux.uid_mappings.empty() || !linux.gid_mappings.empty()))
        throw SpecError("linux.uidMappings", "cannot set id mappings when joining an existing user namespace");
    if (userns && linux.find_namespace(NS::user)->path.empty() && (linux.uid_mappings.empty() || linux.gid_mappings.empty()))
        throw SpecError("linux.uidMappings", "a new user namespace needs both uidMappings and gidMappings");
    validate_sysctl(spec);

    std::string rootfs = spec.root.path;
    if (rootfs[0] != '/') rootfs = bundle + "/" + rootfs;
    char resolved[PATH_MAX];
    if (!::realpath(rootfs.c_str(), resolved)) throw SysError(errno, "root.path: rootfs {}", rootfs);
    struct stat st;
    if (::stat(resolved, &st) < 0 || !S_ISDIR(st.st_mode)) throw SpecError("root.path", "rootfs {} is not a directory", rootfs);
    return resolved;
}

}  // namespace mogu::runtime
