#include "runtime/linux/mount_options.h"

#include <linux/mount.h>
#include <sys/mount.h>

#include <cstring>

namespace mogu::runtime {
namespace {

struct FlagOption {
    const char* name;
    bool clear;
    unsigned long flag;
};

const FlagOption kFlags[] = {
    {"async", true, MS_SYNCHRONOUS},   {"atime", true, MS_NOATIME},      {"bind", false, MS_BIND},
    {"defaults", false, 0},            {"dev", true, MS_NODEV},          {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},    {"exec", true, MS_NOEXEC},        {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},    {"nodev", false, MS_NODEV},       {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},      {"nomand", true, MS_MANDLOCK},    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME}, {"nosuid", false, MS_NOSUID}, {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},  {"remount", false, MS_REMOUNT},   {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},           {"strictatime", false, MS_STRICTATIME}, {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
};

struct AttrOption {
    const char* name;
    bool clear;
    uint64_t attr;
};

const AttrOption kRecursiveAttrs[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},       {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},   {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},     {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},   {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME}, {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnoatime", false, MOUNT_ATTR_NOATIME}, {"rstrictatime", false, MOUNT_ATTR_STRICTATIME},
    {"rrelatime", false, MOUNT_ATTR_RELATIME},
};

}  // namespace

unsigned long propagation_flags(const std::string& name) {
    if (name == "private") return MS_PRIVATE;
    if (name == "rprivate") return MS_PRIVATE | MS_REC;
    if (name == "shared") return MS_SHARED;
    if (name == "rshared") return MS_SHARED | MS_REC;
    if (name == "slave") return MS_SLAVE;
    if (name == "rslave") return MS_SLAVE | MS_REC;
    if (name == "unbindable") return MS_UNBINDABLE;
    if (name == "runbindable") return MS_UNBINDABLE | MS_REC;
    return 0;
}

bool MountOptions::is_bind() const { return flags & MS_BIND; }

MountOptions parse_mount_options(const std::vector<std::string>& options) {
    MountOptions out;
    for (const auto& o : options) {
        bool known = false;
        for (const auto& f : kFlags) {
            if (o != f.name) continue;
            known = true;
            if (f.clear) {
                out.flags &= ~f.flag;
                out.cleared |= f.flag;
            } else {
                out.flags |= f.flag;
                out.cleared &= ~f.flag;
            }
        }
        if (known) continue;
        if (unsigned long p = propagation_flags(o)) {
            out.propagation.push_back(p);
            continue;
        }
        for (const auto& a : kRecursiveAttrs) {
            if (o != a.name) continue;
            known = true;
            if (a.clear) out.attr_clr |= a.attr;
            else out.attr_set |= a.attr;
            // Access-time attributes are one field: setting one clears the others.
            if (a.attr & MOUNT_ATTR__ATIME) out.attr_clr |= MOUNT_ATTR__ATIME;
        }
        if (known) continue;
        // runc's own options, which the kernel never sees.
        if (o == "tmpcopyup") {
            out.tmpcopyup = true;
            continue;
        }
        if (o == "copy-symlink") continue;
        if (!out.data.empty()) out.data += ',';
        out.data += o;
    }
    return out;
}

}  // namespace mogu::runtime
