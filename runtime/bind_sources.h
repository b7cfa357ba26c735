// Bind mounts whose source the container's user namespace cannot reach (a directory only root
// on the host may enter): the init, root only in its own user namespace, would get EACCES walking
// the path. As runc does, a helper of the runtime (root on the host) joins the init's mount
// namespace, opens each bind source there with O_PATH and passes the fds over the sync socket;
// the init mounts from "/proc/self/fd/N". The fds must be opened in the init's mount namespace:
// the kernel refuses a bind mount whose source lies in another one.
#pragma once

#include "common/fd.h"
#include "common/oci/spec.h"
#include "runtime/lxcfs/lxcfs.h"

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace mogu::runtime {

// One source the init will bind from: a spec bind mount's (its index in mounts), or an LXCFS
// view file (after the mounts). `path` is empty for a mount that is not a bind.
struct BindSource {
    std::string path;
    std::string what;  // for errors: "mounts[2] (/data): bind source \"/srv/x\""
};

// The spec's mounts, in order, then each LXCFS view the container gets.
std::vector<BindSource> bind_sources_of(const oci::Spec& spec, const lxcfs::Views* views);

// Whether the init will ask: it has a user namespace (and we may join its mount namespace) and
// something is bound from the host.
bool needs_bind_sources(const std::vector<BindSource>& sources, bool in_user_namespace);

// Parent side, on bind_sources_request: opens the sources in `init`'s mount namespace and sends
// them over `sync_fd` (value: the source's index), then bind_sources_done. Throws if a source
// cannot be opened.
void send_bind_sources(pid_t init, int sync_fd, const std::vector<BindSource>& sources);

// Init side: asks, and collects index -> fd until done.
std::map<size_t, UniqueFd> receive_bind_sources(int sync_fd);

}  // namespace mogu::runtime
