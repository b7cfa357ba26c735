// The spec's mounts, made inside the container's root before pivot_root.
#pragma once

#include "common/oci/spec.h"

#include <map>
#include <string>

namespace mogu::runtime {

struct MountContext {
    int root_fd = -1;              // O_PATH fd of the rootfs mount (after it was bound onto itself)
    bool new_cgroupns = false;
    bool new_netns = false;
    bool in_userns = false;
    bool cgroup_v2_only = false;   // the host has a pure v2 hierarchy
    std::string cgroup_path;       // the container's cgroup, relative to each hierarchy's root
    std::map<std::string, std::string> cgroup_dirs;  // controller -> host directory of the container's cgroup
    // Bind sources opened for us by the runtime on the host side (in a user namespace, where
    // the source may be out of our reach): mounts[i] -> O_PATH fd. See bind_sources.h.
    std::map<size_t, int> bind_source_fds;
};

// Binds the host's `source` on `destination` inside root_fd's tree (resolved in the root, which
// must exist) and makes it read-only, keeping the flags the kernel locks (nosuid, nodev, ...).
// Errors start with `what`.
void bind_read_only(int root_fd, const std::string& source, const std::string& destination, const std::string& what);

// Whether a spec mount is a bind mount ("bind"/"rbind" option, or type "bind").
bool is_bind_mount(const oci::Mount& m);

// Mounts one spec entry; `index` names it in errors ("mounts[3]"). A tmpfs, and /dev, asked for
// read-only are mounted read-write: devices are made in /dev and a tmpfs may be filled
// (tmpcopyup) after mounting. remount_deferred_read_only() makes them read-only at the end.
void mount_entry(const oci::Mount& m, size_t index, const MountContext& ctx);
// After pivot_root (the destinations are the container's paths), as runc's finalizeRootfs.
void remount_deferred_read_only(const std::vector<oci::Mount>& mounts);

}  // namespace mogu::runtime
