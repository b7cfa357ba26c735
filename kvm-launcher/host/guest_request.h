// What the guest needs from a bundle: its config.json as written, the rootfs to export, and the
// content of host files that bind mounts name (resolv.conf, hosts, hostname). What cannot cross
// into a VM is refused here, before anything is booted: hooks (host programs), bind mounts of
// devices, and of host directories unless the container is a pod's (they reach its VM through
// the pod's share).
#pragma once

#include "common/oci/spec.h"
#include "kvm-launcher/proto/agent.pb.h"

#include <string>
#include <vector>

namespace mogu::vm {

// Bind-mounted host files larger than this are refused (they travel inside a ttrpc message).
inline constexpr size_t kMaxHostFile = 1 << 20;

// A bind mount of a host directory.
struct DirectoryBind {
    size_t index = 0;          // in mounts[]
    std::string source;        // as config.json names it (what the guest's copy is keyed by)
    std::string host_path;     // resolved
    std::string destination;
    bool readonly = false;
};

struct PreparedBundle {
    std::string bundle;       // absolute
    std::string config_json;
    oci::Spec spec;
    std::string rootfs;       // absolute, symlinks resolved
    std::vector<agent::v1::HostFile> files;
    std::vector<DirectoryBind> directories;  // only when allowed
};

// Errors name config.json's field (SpecError) or the path that is missing.
PreparedBundle prepare_bundle(const std::string& bundle, bool allow_directories = false);
// For a container that is not a pod's: the first directory bind is refused, naming it.
void refuse_directories(const PreparedBundle& b);

}  // namespace mogu::vm
