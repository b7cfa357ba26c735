#include "kvm-launcher/host/rootfs_device.h"

#include "common/error.h"
#include "common/files.h"
#include "common/strings.h"
#include "kvm-launcher/host/vm_options.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <sstream>

namespace mogu::vm {

std::string mount_point_of(const std::string& mountinfo, dev_t dev) {
    // proc(5): "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
    std::string want = fmt::format("{}:{}", major(dev), minor(dev));
    std::istringstream in(mountinfo);
    std::string line;
    while (std::getline(in, line)) {
        auto f = split(line, ' ');
        if (f.size() > 4 && f[2] == want) return f[4];
    }
    return "";
}

void check_rootfs_device(const std::string& device) {
    struct stat st {};
    if (stat(device.c_str(), &st) < 0)
        throw SysError(errno, "annotations.{}: rootfs device {}", kRootfsDeviceAnnotation, device);
    if (!S_ISBLK(st.st_mode))
        throw Error("annotations.{}: rootfs device {} is not a block device", kRootfsDeviceAnnotation, device);
    std::string where = mount_point_of(read_file("/proc/self/mountinfo"), st.st_rdev);
    if (!where.empty())
        throw Error("annotations.{}: rootfs device {} ({}:{}) is mounted on the host at {}; a filesystem mounted by "
                    "two kernels gets corrupted",
                    kRootfsDeviceAnnotation, device, major(st.st_rdev), minor(st.st_rdev), where);
}

}  // namespace mogu::vm
