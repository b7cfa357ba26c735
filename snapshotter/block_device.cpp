#include "snapshotter/block_device.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/files.h"
#include "common/strings.h"
#include "snapshotter/errors.h"
#include "snapshotter/process.h"

#include <endian.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>

namespace mogu::snap {

DevCheck check_device(const Config& c, const char* key, const std::string& path) {
    if (path.empty()) throw SpecError(c.source + ": " + key, "not set: a block device or a file");
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) throw SysError(errno, "{}: {} {}", c.source, key, path);
    DevCheck d{path, S_ISREG(st.st_mode), 0};
    if (d.is_file) {
        d.bytes = static_cast<uint64_t>(st.st_size);
    } else if (S_ISBLK(st.st_mode)) {
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_EXCL));
        if (!fd && errno == EBUSY)
            throw SnapError(ErrorKind::failed_precondition, "{} {} is in use (mounted, or held by another device)", key, path);
        if (!fd) throw SysError(errno, "open {} {}", key, path);
        check(::ioctl(fd.get(), BLKGETSIZE64, &d.bytes), "size of {}", path);
    } else {
        throw SnapError(ErrorKind::invalid_argument, "{} {} is neither a block device nor a file", key, path);
    }
    return d;
}

bool has_superblock(const std::string& path, uint64_t want) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "open {}", path);
    unsigned char block[64];
    ssize_t n = ::pread(fd.get(), block, sizeof block, 0);
    if (n < 0) throw SysError(errno, "read {}", path);
    if (n < 40) return false;
    uint64_t magic;
    std::memcpy(&magic, block + 32, sizeof magic);
    return le64toh(magic) == want;
}

void zero_superblock(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "open {}", path);
    char zeros[4096] = {};
    if (::pwrite(fd.get(), zeros, sizeof zeros, 0) != static_cast<ssize_t>(sizeof zeros))
        throw SysError(errno, "wipe the metadata superblock of {}", path);
    check(::fsync(fd.get()), "fsync {}", path);
}

std::string dev_t_of(const std::string& path) {
    struct stat st;
    check(::stat(path.c_str(), &st), "stat {}", path);
    return fmt::format("{}:{}", major(st.st_rdev), minor(st.st_rdev));
}

std::string node_of(const std::string& majmin) {
    auto uevent = read_file_if_exists("/sys/dev/block/" + majmin + "/uevent");
    if (uevent)
        for (auto& line : split(*uevent, '\n'))
            if (line.rfind("DEVNAME=", 0) == 0) return "/dev/" + line.substr(8);
    throw Error("no block device {} in /sys/dev/block", majmin);
}

uint64_t block_device_bytes(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "open {}", path);
    uint64_t bytes = 0;
    check(::ioctl(fd.get(), BLKGETSIZE64, &bytes), "size of {}", path);
    return bytes;
}

std::string signature_on(const std::string& path) {
    // blkid -p probes the device itself (no cache); it exits 2 when it finds nothing.
    try {
        return std::string(trim(run_program({"blkid", "-p", "-o", "value", "-s", "TYPE", path})));
    } catch (const Error&) {
        return "";
    }
}

}  // namespace mogu::snap
