#include "snapshotter/loop_device.h"

#include "common/error.h"
#include "common/files.h"

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstring>

namespace mogu::snap {

LoopDevice LoopDevice::attach(const std::string& file) {
    UniqueFd backing(::open(file.c_str(), O_RDWR | O_CLOEXEC));
    if (!backing) throw SysError(errno, "open {}", file);
    UniqueFd ctl(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
    if (!ctl) throw SysError(errno, "open /dev/loop-control (is the loop module loaded?)");
    for (int attempt = 0; attempt < 10; ++attempt) {
        int n = check(::ioctl(ctl.get(), LOOP_CTL_GET_FREE), "find a free loop device");
        std::string path = fmt::format("/dev/loop{}", n);
        if (!path_exists(path)) check(::mknod(path.c_str(), S_IFBLK | 0660, makedev(7, n)), "mknod {}", path);
        UniqueFd dev(::open(path.c_str(), O_RDWR | O_CLOEXEC));
        if (!dev) throw SysError(errno, "open {}", path);
        loop_config cfg;
        std::memset(&cfg, 0, sizeof cfg);
        cfg.fd = static_cast<uint32_t>(backing.get());
        cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
        std::strncpy(reinterpret_cast<char*>(cfg.info.lo_file_name), file.c_str(), LO_NAME_SIZE - 1);
        if (::ioctl(dev.get(), LOOP_CONFIGURE, &cfg) == 0) return LoopDevice(path, std::move(dev));
        if (errno != EBUSY) throw SysError(errno, "attach {} to {}", file, path);
        // Someone else took it between GET_FREE and CONFIGURE: ask again.
    }
    throw Error("attach {}: no free loop device after 10 tries", file);
}

std::string loop_device_of(const std::string& file) {
    struct stat want;
    if (::stat(file.c_str(), &want) != 0) return "";
    for (int n = 0; n < 256; ++n) {
        std::string path = fmt::format("/dev/loop{}", n);
        UniqueFd dev(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!dev) continue;
        loop_info64 li;
        if (::ioctl(dev.get(), LOOP_GET_STATUS64, &li) != 0) continue;
        if (li.lo_device == want.st_dev && li.lo_inode == want.st_ino) return path;
    }
    return "";
}

}  // namespace mogu::snap
