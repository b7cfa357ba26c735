// A Kubernetes pod in one VM, as Kata runs one: containerd's CRI plugin names each container's
// role and pod in annotations. The sandbox (pause) boots the VM and exports a host directory,
// the pod's share (virtio-9p tag "pod"); every other container of the pod joins that VM: the
// host binds its rootfs and the directories it mounts under the share, and the guest finds them
// there. Its /dev/shm (containerd's per-pod tmpfs on the host) becomes one tmpfs in the guest.
#pragma once

#include "common/oci/spec.h"
#include "kvm-launcher/host/guest_request.h"
#include "kvm-launcher/proto/agent.pb.h"

#include <string>
#include <vector>

namespace mogu::vm {

// containerd's CRI annotations.
inline constexpr const char* kCriContainerTypeAnnotation = "io.kubernetes.cri.container-type";
inline constexpr const char* kCriSandboxIdAnnotation = "io.kubernetes.cri.sandbox-id";

enum class PodRole {
    none,     // not a pod's (ctr, docker, mogu-vm run): one VM of its own
    sandbox,  // a pod's sandbox: boots the pod's VM
    member,   // a pod's container: joins the sandbox's VM
};

struct PodPlace {
    PodRole role = PodRole::none;
    std::string sandbox_id;  // for a member
};

// What the annotations say. A container whose sandbox is not a VM container under `root` (a pod
// started by another runtime) gets a VM of its own, as before pods were known.
PodPlace pod_place(const oci::Spec& spec, const std::string& id, const std::string& root);

// The share's directory in a sandbox's state directory, and a member's subdirectory of it.
std::string pod_share_dir(const std::string& sandbox_state_dir);

// A host directory bound (recursively) at a path inside the share; unbound on destruction unless
// released. Read-only binds are made read-only on the host too.
class ShareBind {
public:
    ShareBind() = default;
    ShareBind(const std::string& source, const std::string& target, bool readonly);
    ShareBind(ShareBind&& o) noexcept : target_(std::move(o.target_)) { o.target_.clear(); }
    ShareBind& operator=(ShareBind&& o) noexcept;
    ~ShareBind();
    void release() { target_.clear(); }

private:
    std::string target_;
};

// A pod container's host directories in the request: the one bound on /dev/shm (containerd's
// per-pod tmpfs) as shm_source, the others bound into the share under <id>/mounts/<n> as shared
// dirs. The binds returned undo themselves unless released.
std::vector<ShareBind> share_directories(const PreparedBundle& b, const std::string& share, const std::string& id,
                                         agent::v1::CreateContainerRequest& req);

// Detaches every mount at or below `dir` (deepest first). True when none is left there, so the
// directory can be removed without reaching through a mount into what it bound.
bool unmount_below(const std::string& dir);

}  // namespace mogu::vm
