// What the guest needs from a bundle: its config.json as written, the rootfs to export, and the
// content of host files that bind mounts name (resolv.conf, hosts, hostname). What cannot cross
// into a VM is refused here, before anything is booted: hooks (host programs) and bind mounts of
// host directories or devices.
#pragma once

#include "common/oci/spec.h"
#include "kvm-launcher/proto/agent.pb.h"

#include <string>
#include <vector>

namespace mogu::vm {

// Bind-mounted host files larger than this are refused (they travel inside a ttrpc message).
inline constexpr size_t kMaxHostFile = 1 << 20;

struct PreparedBundle {
    std::string bundle;       // absolute
    std::string config_json;
    oci::Spec spec;
    std::string rootfs;       // absolute, symlinks resolved
    std::vector<agent::v1::HostFile> files;
};

// Errors name config.json's field (SpecError) or the path that is missing.
PreparedBundle prepare_bundle(const std::string& bundle);

}  // namespace mogu::vm
