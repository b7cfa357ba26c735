// The container's first process, between clone(2) and execve(2). Everything it needs was
// computed and checked by the parent beforehand (InitPlan); it only applies it. It never
// returns or unwinds into the parent's code: errors go over the sync socket, then _exit.
#pragma once

#include "common/oci/spec.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/linux/mounts.h"
#include "runtime/linux/namespaces.h"
#include "runtime/lxcfs/lxcfs.h"
#include "runtime/security/capabilities.h"

#include <optional>
#include <string>

namespace mogu::runtime {

class SeccompProgram;

struct InitPlan {
    const oci::Spec* spec = nullptr;
    const oci::Process* process = nullptr;
    std::string rootfs;                 // absolute host path
    bool no_pivot = false;
    const NamespacePlan* namespaces = nullptr;
    bool namespaces_joined = false;     // a first stage already joined the namespaces given by path
    MountContext mounts;                // root_fd is filled in by the init itself
    std::optional<CapabilitySets> capabilities;
    const SeccompProgram* seccomp = nullptr;
    cgroups::Cgroup* cgroup = nullptr;  // joined by the init itself (its v1 part), see Cgroup::v2_dir()
    int sync_fd = -1;                   // the child's end
    int exec_fifo_fd = -1;              // O_RDWR; the init blocks reading one byte until `start`
    int console_socket_fd = -1;         // when process.terminal
    bool console_proxied = false;       // the socket is mogu's own: a foreground run proxies the pty
    int preserve_fds = 0;
    bool setup_dev = true;              // /dev is not bind-mounted from the host: make nodes and links
    bool bind_sources_from_parent = false;  // the parent opens bind sources for us (bind_sources.h)
    const lxcfs::Views* lxcfs_views = nullptr;  // bound over /proc and /sys after the mounts
    // For the state JSON of createContainer/startContainer hooks (the pid arrives with "go").
    std::string oci_version, id, bundle;
    const std::map<std::string, std::string>* annotations = nullptr;
};

[[noreturn]] void run_container_init(const InitPlan& plan);

}  // namespace mogu::runtime
