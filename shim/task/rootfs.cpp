#include "shim/task/rootfs.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <map>

namespace mogu::shim {
namespace {

struct Flag {
    bool clear;
    unsigned long bits;
};

const std::map<std::string, Flag>& flag_table() {
    static const std::map<std::string, Flag> t = {
        {"async", {true, MS_SYNCHRONOUS}}, {"atime", {true, MS_NOATIME}}, {"bind", {false, MS_BIND}},
        {"defaults", {false, 0}}, {"dev", {true, MS_NODEV}}, {"diratime", {true, MS_NODIRATIME}},
        {"dirsync", {false, MS_DIRSYNC}}, {"exec", {true, MS_NOEXEC}}, {"mand", {false, MS_MANDLOCK}},
        {"noatime", {false, MS_NOATIME}}, {"nodev", {false, MS_NODEV}}, {"nodiratime", {false, MS_NODIRATIME}},
        {"noexec", {false, MS_NOEXEC}}, {"nomand", {true, MS_MANDLOCK}}, {"norelatime", {true, MS_RELATIME}},
        {"nostrictatime", {true, MS_STRICTATIME}}, {"nosuid", {false, MS_NOSUID}}, {"rbind", {false, MS_BIND | MS_REC}},
        {"relatime", {false, MS_RELATIME}}, {"remount", {false, MS_REMOUNT}}, {"ro", {false, MS_RDONLY}},
        {"rw", {true, MS_RDONLY}}, {"strictatime", {false, MS_STRICTATIME}}, {"suid", {true, MS_NOSUID}},
        {"sync", {false, MS_SYNCHRONOUS}},
    };
    return t;
}

const std::map<std::string, unsigned long>& propagation_table() {
    static const std::map<std::string, unsigned long> t = {
        {"private", MS_PRIVATE}, {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED},
        {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE}, {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    return t;
}

void mount_one(const RootfsMount& m, const std::string& target) {
    MountOptions o = parse_mount_options(m.options);
    if (o.data.size() >= size_t(getpagesize()))
        throw Error("mount {} on {}: options are {} bytes, over the kernel's page-size limit", m.type, target,
                    o.data.size());
    bool bind = o.flags & MS_BIND;
    unsigned long first = bind ? (o.flags & (MS_BIND | MS_REC)) : o.flags;
    if (mount(m.source.c_str(), target.c_str(), m.type.c_str(), first, o.data.empty() ? nullptr : o.data.c_str()) < 0)
        throw SysError(errno, "mount {} {} on {} (options {})", m.type, m.source, target, join(m.options, ","));
    // A bind mount takes its other flags (ro, nosuid, ...) only on a remount.
    if (bind && (o.flags & ~(MS_BIND | MS_REC))) {
        if (mount("", target.c_str(), "", MS_REMOUNT | MS_BIND | (o.flags & ~MS_REC), nullptr) < 0) {
            int err = errno;
            umount2(target.c_str(), MNT_DETACH);
            throw SysError(err, "remount bind {} on {}", m.source, target);
        }
    }
    if (o.propagation && mount("", target.c_str(), "", o.propagation, nullptr) < 0) {
        int err = errno;
        umount2(target.c_str(), MNT_DETACH);
        throw SysError(err, "set propagation of {}", target);
    }
}

}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& options) {
    MountOptions o;
    std::vector<std::string> data;
    for (auto& opt : options) {
        if (auto f = flag_table().find(opt); f != flag_table().end()) {
            if (f->second.clear) o.flags &= ~f->second.bits;
            else o.flags |= f->second.bits;
        } else if (auto p = propagation_table().find(opt); p != propagation_table().end()) {
            o.propagation |= p->second;
        } else {
            data.push_back(opt);
        }
    }
    o.data = join(data, ",");
    return o;
}

RootfsMounts::RootfsMounts(const std::vector<RootfsMount>& mounts, const std::string& target) {
    if (mounts.empty()) return;  // the bundle's rootfs is already in place
    mkdir_p(target, 0711);
    target_ = target;
    try {
        for (auto& m : mounts) mount_one(m, target);
    } catch (...) {
        unmount_all(target_);
        throw;
    }
}

RootfsMounts::~RootfsMounts() {
    if (target_.empty()) return;
    try {
        unmount_all(target_);
    } catch (const std::exception& e) {
        log::warn("{}", e.what());
    }
}

void unmount_all(const std::string& path) {
    for (int i = 0; i < 64; i++) {
        if (umount2(path.c_str(), UMOUNT_NOFOLLOW) == 0) continue;
        if (errno == EINVAL || errno == ENOENT) return;  // nothing (more) mounted there
        if (errno == EBUSY && i < 50) {
            usleep(10000);
            continue;
        }
        if (umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) continue;
        throw SysError(errno, "unmount {}", path);
    }
}

}  // namespace mogu::shim
