#include "kvm-launcher/host/pod.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/mountinfo.h"
#include "kvm-launcher/host/vm_state.h"

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mogu::vm {
namespace {

std::string annotation(const oci::Spec& spec, const char* key) {
    auto it = spec.annotations.find(key);
    return it == spec.annotations.end() ? "" : it->second;
}

}  // namespace

PodPlace pod_place(const oci::Spec& spec, const std::string& id, const std::string& root) {
    std::string type = annotation(spec, kCriContainerTypeAnnotation);
    std::string sandbox = annotation(spec, kCriSandboxIdAnnotation);
    if (type == "sandbox") return {PodRole::sandbox, ""};
    if (type != "container" || sandbox.empty() || sandbox == id || !VmDir::is_vm(root, sandbox)) return {};
    return {PodRole::member, sandbox};
}

std::string pod_share_dir(const std::string& sandbox_state_dir) { return path_join(sandbox_state_dir, "pod"); }

ShareBind::ShareBind(const std::string& source, const std::string& target, bool readonly) {
    mkdir_p(target, 0700);
    if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
        throw SysError(errno, "bind {} into the pod's share at {}", source, target);
    try {
        // Not shared back: what the source's tree mounts later stays out of the VM.
        if (::mount(nullptr, target.c_str(), nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
            throw SysError(errno, "make {} private", target);
        if (readonly && ::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) < 0)
            throw SysError(errno, "make {} read-only", target);
    } catch (...) {
        unmount_below(target);
        throw;
    }
    target_ = target;
}

ShareBind& ShareBind::operator=(ShareBind&& o) noexcept {
    if (this != &o) {
        this->~ShareBind();
        target_ = std::move(o.target_);
        o.target_.clear();
    }
    return *this;
}

ShareBind::~ShareBind() {
    if (!target_.empty() && !unmount_below(target_)) log::warn("{} is still mounted", target_);
}

std::vector<ShareBind> share_directories(const PreparedBundle& b, const std::string& share, const std::string& id,
                                         agent::v1::CreateContainerRequest& req) {
    std::vector<ShareBind> binds;
    for (const auto& d : b.directories) {
        if (d.destination == "/dev/shm") {
            req.set_shm_source(d.source);
            continue;
        }
        bool seen = false;
        for (const auto& s : req.shared_dirs()) seen = seen || s.source() == d.source;
        if (seen) continue;
        std::string subpath = fmt::format("{}/mounts/{}", id, d.index);
        binds.emplace_back(d.host_path, path_join(share, subpath), d.readonly);
        auto* s = req.add_shared_dirs();
        s->set_source(d.source);
        s->set_subpath(subpath);
    }
    return binds;
}

bool unmount_below(const std::string& dir) {
    auto mounts = [&] {
        std::vector<std::string> found;
        for (auto& m : parse_mountinfo(read_file("/proc/self/mountinfo")))
            if (path_is_under(m.mount_point, dir)) found.push_back(m.mount_point);
        // Deepest first; a path mounted twice appears twice and is unmounted twice.
        std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
        return found;
    };
    for (auto& m : mounts()) {
        if (::umount2(m.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
            log::warn("unmount {}: {}", m, strerror(errno));
    }
    return mounts().empty();
}

}  // namespace mogu::vm
