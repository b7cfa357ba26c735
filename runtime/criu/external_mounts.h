// The mounts of a container that criu cannot dump because their source lives outside it, named
// to criu as runc names them (libcontainer's addCriuDumpMount / addCriuRestoreMount): at dump each
// is marked external under its path in the container; at restore the same key is bound from the
// host source it has now (a restore under another id has other cgroup directories).
#pragma once

#include "common/oci/spec.h"

#include <map>
#include <string>
#include <vector>

namespace mogu::runtime::criu {

struct ExternalMount {
    std::string key;     // the path in the container, as criu's images record it
    std::string source;  // the host path bound there now
};

struct ContainerMounts {
    const oci::Spec* spec = nullptr;
    // The container's cgroup directories by controller (cgroups::Cgroup::paths()) and its path
    // relative to the hierarchies: the v1 binds under a cgroup mount are made from them.
    std::map<std::string, std::string> cgroup_dirs;
    std::string cgroup_path;
    bool cgroup_v2_only = false;
    bool new_cgroupns = false;
    // LXCFS views: where LXCFS is mounted and the files bound ("proc/meminfo").
    std::string lxcfs_mount_point;
    std::vector<std::string> lxcfs_files;
};

// Bind mounts of the spec, v1 cgroup hierarchies bound into a cgroup mount, device nodes (bound
// in a user namespace), LXCFS views. Masked files are /dev/null binds: see masked_file_key.
std::vector<ExternalMount> external_mounts(const ContainerMounts& c);

// runc marks every masked file (a /dev/null bind) external under the key "/dev/null", and
// binds the host's /dev/null back at restore.
inline constexpr const char* kMaskedFileKey = "/dev/null";

}  // namespace mogu::runtime::criu
