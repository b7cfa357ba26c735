// Mounts the rootfs mounts containerd hands to Create into <bundle>/rootfs (overlay, bind, and
// block-device filesystems such as ext4), and takes them down again.
#pragma once

#include <string>
#include <vector>

namespace mogu::shim {

// One of containerd's rootfs mounts (containerd.types.Mount) as Create hands it over.
struct RootfsMount {
    std::string type, source, target;
    std::vector<std::string> options;
};

// Owns the mounts until release(); unmounts them on destruction (a failed Create).
class RootfsMounts {
public:
    RootfsMounts(const std::vector<RootfsMount>& mounts, const std::string& target);
    ~RootfsMounts();
    RootfsMounts(const RootfsMounts&) = delete;
    RootfsMounts& operator=(const RootfsMounts&) = delete;
    void release() { target_.clear(); }

private:
    std::string target_;
};

// mount(2) flags and the data string from containerd's option list.
struct MountOptions {
    unsigned long flags = 0;
    unsigned long propagation = 0;
    std::string data;
};
MountOptions parse_mount_options(const std::vector<std::string>& options);

// Unmounts everything stacked on path (a missing path is fine).
void unmount_all(const std::string& path);

}  // namespace mogu::shim
