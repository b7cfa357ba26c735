#include "runtime/linux/rootfs.h"

#include "common/error.h"
#include "common/files.h"
#include "common/mountinfo.h"
#include "common/strings.h"
#include "runtime/linux/mount_options.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {
namespace {

// The mount that holds `path`: the one with the longest mount point prefix (the last listed of
// those on the same mount point, which is the one on top).
MountInfoEntry mount_holding(const std::string& path) {
    MountInfoEntry best;
    best.mount_point = "/";
    for (auto& m : parse_mountinfo(read_file("/proc/self/mountinfo")))
        if (path_is_under(path, m.mount_point) && m.mount_point.size() >= best.mount_point.size()) best = std::move(m);
    return best;
}

// The kernel lets a process mount a new procfs or sysfs only if every such mount it can see is
// fully visible (fs/namespace.c, mount_too_revealing). After pivot_root the host's are gone with
// the old root; with MS_MOVE + chroot they stay in the mount namespace, unobstructed, and a
// process in a new user namespace could mount a proc with nothing masked. Detach them (or cover
// them where that is not allowed), as runc does before its chroot.
void hide_host_proc_and_sys(const std::string& rootfs) {
    for (const auto& m : parse_mountinfo(read_file("/proc/self/mountinfo"))) {
        if (m.root != "/" || (m.fs_type != "proc" && m.fs_type != "sysfs") || path_is_under(m.mount_point, rootfs)) continue;
        const char* mp = m.mount_point.c_str();
        // Keep the unmount from propagating to the host.
        if (::mount(nullptr, mp, nullptr, MS_SLAVE | MS_REC, nullptr) < 0) {
            if (errno == ENOENT) continue;  // gone with a mount above it
            throw SysError(errno, "make the host's {} at {} a slave before hiding it", m.fs_type, m.mount_point);
        }
        if (::umount2(mp, MNT_DETACH) == 0) continue;
        if (errno != EINVAL && errno != EPERM) throw SysError(errno, "detach the host's {} at {}", m.fs_type, m.mount_point);
        if (::mount("tmpfs", mp, "tmpfs", 0, nullptr) < 0) throw SysError(errno, "cover the host's {} at {}", m.fs_type, m.mount_point);
    }
}

unsigned long statvfs_flags(const char* path) {
    struct statvfs sv;
    if (::statvfs(path, &sv) < 0) return 0;
    unsigned long f = 0;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    return f;
}

}  // namespace

UniqueFd prepare_rootfs(const std::string& rootfs, const std::string& rootfs_propagation) {
    // Unbindable mounts cannot be bound, and the rootfs, the cgroup directories and the volumes
    // are bound from the host's: those start as slaves and become unbindable after pivot_root.
    unsigned long prop = rootfs_propagation.empty() ? (MS_SLAVE | MS_REC) : propagation_flags(rootfs_propagation);
    if (prop & MS_UNBINDABLE) prop = MS_SLAVE | MS_REC;
    if (::mount(nullptr, "/", nullptr, prop, nullptr) < 0) throw SysError(errno, "set propagation of / in the container's mount namespace");
    // The mount holding the rootfs is made private where it is shared (pivot_root refuses a new
    // root whose parent is shared, and the bind below would propagate out) or unbindable (the
    // bind would be refused: a bundle on the host's "/" with rootfsPropagation "unbindable").
    // The requested propagation is set on the container's "/" after pivot_root.
    MountInfoEntry parent = mount_holding(dirname_of(rootfs));
    if (parent.shared() || parent.unbindable()) {
        if (::mount(nullptr, parent.mount_point.c_str(), nullptr, MS_PRIVATE, nullptr) < 0)
            throw SysError(errno, "make {} (the mount holding the rootfs) private", parent.mount_point);
    }
    if (::mount(rootfs.c_str(), rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
        throw SysError(errno, "bind mount the rootfs {} onto itself", rootfs);
    UniqueFd fd(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "open rootfs {}", rootfs);
    return fd;
}

void pivot_into(const std::string& rootfs) {
    UniqueFd old_root(::open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!old_root) throw SysError(errno, "open /");
    UniqueFd new_root(::open(rootfs.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!new_root) throw SysError(errno, "open rootfs {}", rootfs);
    check(::fchdir(new_root.get()), "chdir into rootfs {}", rootfs);
    // pivot_root(".", ".") stacks the old root on top of the new one; unmount it from there.
    // See pivot_root(2), "pivot_root(".", ".")".
    check(static_cast<int>(::syscall(SYS_pivot_root, ".", ".")), "pivot_root into {}", rootfs);
    check(::fchdir(old_root.get()), "chdir to the old root");
    check(::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr), "make the old root a slave before unmounting it");
    check(::umount2(".", MNT_DETACH), "unmount the old root");
    check(::chdir("/"), "chdir /");
}

void move_into(const std::string& rootfs) {
    hide_host_proc_and_sys(rootfs);
    check(::chdir(rootfs.c_str()), "chdir into rootfs {}", rootfs);
    check(::mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr), "move rootfs {} to /", rootfs);
    check(::chroot("."), "chroot into rootfs {}", rootfs);
    check(::chdir("/"), "chdir /");
}

void mask_paths(const std::vector<std::string>& paths) {
    for (const auto& p : paths) {
        struct stat st;
        if (::stat(p.c_str(), &st) < 0) {
            if (errno == ENOENT) continue;
            throw SysError(errno, "mask {}", p);
        }
        int rc = S_ISDIR(st.st_mode) ? ::mount("tmpfs", p.c_str(), "tmpfs", MS_RDONLY, "size=0")
                                     : ::mount("/dev/null", p.c_str(), nullptr, MS_BIND, nullptr);
        if (rc < 0 && errno != ENOENT) throw SysError(errno, "mask {}", p);
    }
}

void make_paths_readonly(const std::vector<std::string>& paths) {
    for (const auto& p : paths) {
        if (::mount(p.c_str(), p.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
            if (errno == ENOENT) continue;
            throw SysError(errno, "bind {} to make it read-only", p);
        }
        unsigned long f = MS_BIND | MS_REMOUNT | MS_RDONLY | statvfs_flags(p.c_str());
        if (::mount(nullptr, p.c_str(), nullptr, f, nullptr) < 0) throw SysError(errno, "remount {} read-only", p);
    }
}

void make_root_readonly() {
    unsigned long f = MS_BIND | MS_REMOUNT | MS_RDONLY | statvfs_flags("/");
    check(::mount(nullptr, "/", nullptr, f, nullptr), "remount the root filesystem read-only");
}

void set_root_propagation(const std::string& propagation) {
    if (propagation.empty()) return;
    unsigned long p = propagation_flags(propagation);
    check(::mount(nullptr, "/", nullptr, p, nullptr), "set rootfsPropagation \"{}\" on /", propagation);
}

}  // namespace mogu::runtime
