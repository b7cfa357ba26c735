#include "runtime/linux/mounts.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"
#include "runtime/linux/copy_tree.h"
#include "runtime/linux/in_root.h"
#include "runtime/linux/mount_options.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <set>

namespace mogu::runtime {
namespace {

// Flags a bind remount must keep: the kernel refuses to clear "locked" flags inherited from
// the source mount (nodev, nosuid, noexec, atime flags), so they are carried over.
unsigned long locked_flags(const std::string& path) {
    struct statvfs sv;
    if (::statvfs(path.c_str(), &sv) < 0) return 0;
    unsigned long f = 0;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

void sys_mount(const char* src, const std::string& target, const char* type, unsigned long flags, const char* data,
               const std::string& what) {
    if (::mount(src, target.c_str(), type, flags, data) < 0) throw SysError(errno, "{}", what);
}

void bind_remount(const std::string& target, unsigned long flags, const std::string& what) {
    unsigned long f = MS_BIND | MS_REMOUNT | flags | locked_flags(target);
    if (::mount(nullptr, target.c_str(), nullptr, f, nullptr) < 0) throw SysError(errno, "{}", what);
}

void apply_after(const oci::Mount& m, const MountOptions& o, const MountContext& ctx, const std::string& where) {
    if (o.propagation.empty() && !o.attr_set && !o.attr_clr) return;
    UniqueFd t = open_in_root(ctx.root_fd, m.destination);
    for (unsigned long p : o.propagation) sys_mount(nullptr, fd_path(t.get()), nullptr, p, nullptr, where + ": set propagation");
    if (o.attr_set || o.attr_clr) {
        struct mount_attr attr = {};
        attr.attr_set = o.attr_set;
        attr.attr_clr = o.attr_clr;
        if (::syscall(SYS_mount_setattr, t.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
            throw SysError(errno, "{}: set recursive mount attributes", where);
    }
}

void mount_bind(const oci::Mount& m, size_t index, const MountOptions& o, const MountContext& ctx, const std::string& where) {
    // A source the runtime opened for us is mounted through its fd: the path may not be ours to walk.
    auto given = ctx.bind_source_fds.find(index);
    std::string source = given != ctx.bind_source_fds.end() ? fd_path(given->second) : m.source;
    struct stat st;
    if (::stat(source.c_str(), &st) < 0) throw SysError(errno, "{}: bind source \"{}\"", where, m.source);
    UniqueFd target = make_in_root(ctx.root_fd, m.destination, S_ISDIR(st.st_mode) ? NodeKind::directory : NodeKind::file);
    sys_mount(source.c_str(), fd_path(target.get()), nullptr, MS_BIND | (o.flags & MS_REC), nullptr,
              fmt::format("{}: bind mount {} on {}", where, m.source, m.destination));
    unsigned long extra = o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
    if (extra) {
        UniqueFd mounted = open_in_root(ctx.root_fd, m.destination);
        bind_remount(fd_path(mounted.get()), extra, fmt::format("{}: remount {} with its options", where, m.destination));
    }
}

// v1: a tmpfs with the container's own directory of each hierarchy bound in; v2: cgroup2 itself
// when the container has a cgroup namespace, else its directory bound.
void mount_cgroups(const oci::Mount& m, const MountOptions& o, const MountContext& ctx, const std::string& where) {
    unsigned long ro = o.flags & MS_RDONLY;
    unsigned long base = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    UniqueFd target = make_in_root(ctx.root_fd, m.destination, NodeKind::directory);
    if (ctx.cgroup_v2_only) {
        if (ctx.new_cgroupns) {
            sys_mount("cgroup2", fd_path(target.get()), "cgroup2", base | ro, nullptr, where + ": mount cgroup2");
        } else {
            auto dir = ctx.cgroup_dirs.count("unified") ? ctx.cgroup_dirs.at("unified") : std::string();
            if (dir.empty()) throw Error("{}: no cgroup v2 directory for the container", where);
            sys_mount(dir.c_str(), fd_path(target.get()), nullptr, MS_BIND | MS_REC, nullptr, where + ": bind the container's cgroup");
            if (ro) {
                UniqueFd t = open_in_root(ctx.root_fd, m.destination);
                bind_remount(fd_path(t.get()), MS_RDONLY | base, where + ": remount cgroup read-only");
            }
        }
        return;
    }
    sys_mount("tmpfs", fd_path(target.get()), "tmpfs", base, "mode=755", where + ": mount tmpfs for cgroups");
    std::set<std::string> done;
    for (const auto& [controller, dir] : ctx.cgroup_dirs) {
        if (!done.insert(dir).second) continue;  // co-mounted controllers share one directory
        // The hierarchy's mount point is the host dir minus the container's cgroup path.
        std::string mount_point = dir;
        if (!ctx.cgroup_path.empty() && ctx.cgroup_path != "/" && mount_point.ends_with(ctx.cgroup_path))
            mount_point.resize(mount_point.size() - ctx.cgroup_path.size());
        std::string name = basename_of(mount_point);
        std::string sub = m.destination + "/" + name;
        UniqueFd t = make_in_root(ctx.root_fd, sub, NodeKind::directory);
        if (controller == "unified" && ctx.new_cgroupns) {
            sys_mount("cgroup2", fd_path(t.get()), "cgroup2", base | ro, nullptr, where + ": mount cgroup2 at " + sub);
            continue;
        }
        sys_mount(dir.c_str(), fd_path(t.get()), nullptr, MS_BIND | MS_REC, nullptr, fmt::format("{}: bind {} on {}", where, dir, sub));
        UniqueFd bound = open_in_root(ctx.root_fd, sub);
        bind_remount(fd_path(bound.get()), base | ro, fmt::format("{}: remount {}", where, sub));
        // "cpu,cpuacct" is also reachable as "cpu" and "cpuacct", as on the host.
        if (name.find(',') != std::string::npos) {
            UniqueFd parent = open_in_root(ctx.root_fd, m.destination);
            size_t start = 0;
            while (start < name.size()) {
                size_t comma = name.find(',', start);
                std::string alias = name.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                start = comma == std::string::npos ? name.size() : comma + 1;
                if (::symlinkat(name.c_str(), parent.get(), alias.c_str()) < 0 && errno != EEXIST)
                    throw SysError(errno, "{}: symlink {}/{}", where, m.destination, alias);
            }
        }
    }
    if (ro) {
        UniqueFd t = open_in_root(ctx.root_fd, m.destination);
        bind_remount(fd_path(t.get()), MS_RDONLY | base, where + ": remount the cgroup tmpfs read-only");
    }
}

bool read_only_deferred(const oci::Mount& m, const MountOptions& o) {
    return (o.flags & MS_RDONLY) && (m.type == "tmpfs" || m.destination == "/dev" || m.destination == "/dev/");
}

// A tmpfs over an existing directory takes that directory's mode (set-id and sticky bits
// included) unless the options name one; with tmpcopyup it is also filled with its content.
// runc does both.
void mount_tmpfs(const oci::Mount& m, const MountOptions& o, const MountContext& ctx, const std::string& where) {
    UniqueFd existing = try_open_in_root(ctx.root_fd, m.destination);
    std::string data = o.data;
    struct stat st;
    if (existing && ::fstat(existing.get(), &st) == 0 && S_ISDIR(st.st_mode))
        data = fmt::format("mode={:04o}", st.st_mode & 07777) + (data.empty() ? "" : "," + data);  // a later mode= wins
    UniqueFd target = existing ? std::move(existing) : make_in_root(ctx.root_fd, m.destination, NodeKind::directory);
    // Opened before the mount covers it: the fd still reaches the directory's own content.
    UniqueFd below;
    if (o.tmpcopyup) {
        below.reset(::open(fd_path(target.get()).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!below) throw SysError(errno, "{}: open {} to copy it up", where, m.destination);
    }
    unsigned long flags = o.flags & ~(MS_REMOUNT | MS_RDONLY);
    sys_mount(m.source.empty() ? "tmpfs" : m.source.c_str(), fd_path(target.get()), "tmpfs", flags, data.empty() ? nullptr : data.c_str(),
              fmt::format("{}: mount tmpfs on {}{}", where, m.destination, data.empty() ? "" : " with \"" + data + "\""));
    if (below) {
        UniqueFd mounted(::open(fd_path(open_in_root(ctx.root_fd, m.destination).get()).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!mounted) throw SysError(errno, "{}: open the new tmpfs at {}", where, m.destination);
        try {
            copy_directory_contents(below.get(), mounted.get());
        } catch (const Error& e) {
            throw Error("{}: {}", where, e.what());
        }
    }
}

}  // namespace

void bind_read_only(int root_fd, const std::string& source, const std::string& destination, const std::string& what) {
    UniqueFd target = open_in_root(root_fd, destination, O_NOFOLLOW);
    sys_mount(source.c_str(), fd_path(target.get()), nullptr, MS_BIND, nullptr, fmt::format("{}: bind {}", what, source));
    // The fd above still names what lies under the new mount: the remount needs the mount itself.
    UniqueFd mounted = open_in_root(root_fd, destination, O_NOFOLLOW);
    bind_remount(fd_path(mounted.get()), MS_RDONLY, fmt::format("{}: make it read-only", what));
}

bool is_bind_mount(const oci::Mount& m) { return m.type == "bind" || parse_mount_options(m.options).is_bind(); }

void remount_deferred_read_only(const std::vector<oci::Mount>& mounts) {
    for (size_t i = 0; i < mounts.size(); ++i) {
        const oci::Mount& m = mounts[i];
        if (!read_only_deferred(m, parse_mount_options(m.options))) continue;
        bind_remount(m.destination, MS_RDONLY, fmt::format("mounts[{}] ({}): remount read-only", i, m.destination));
    }
}

void mount_entry(const oci::Mount& m, size_t index, const MountContext& ctx) {
    std::string where = fmt::format("mounts[{}] ({})", index, m.destination);
    log::debug("init: {}: {} {} on {} ({})", where, m.type.empty() ? "bind" : m.type, m.source, m.destination, join(m.options, ","));
    MountOptions o = parse_mount_options(m.options);
    if (m.type == "cgroup" || m.type == "cgroup2") {
        mount_cgroups(m, o, ctx, where);
        return;
    }
    if (o.is_bind() || m.type == "bind") {
        mount_bind(m, index, o, ctx, where);
        apply_after(m, o, ctx, where);
        return;
    }
    if (m.type == "tmpfs") {
        mount_tmpfs(m, o, ctx, where);
        apply_after(m, o, ctx, where);
        return;
    }
    // proc and sysfs over a symlink would let an image redirect them (CVE-2019-19921).
    bool special = m.type == "proc" || m.type == "sysfs";
    if (special) {
        UniqueFd existing = try_open_in_root(ctx.root_fd, m.destination, O_NOFOLLOW);
        if (existing) {
            struct stat st;
            if (::fstat(existing.get(), &st) == 0 && !S_ISDIR(st.st_mode))
                throw Error("{}: {} must be a directory, not a symlink or file, to mount {} on it", where, m.destination, m.type);
        }
    }
    UniqueFd target = make_in_root(ctx.root_fd, m.destination, NodeKind::directory);
    std::string tp = fd_path(target.get());
    unsigned long flags = o.flags & ~MS_REMOUNT;
    if (read_only_deferred(m, o)) flags &= ~MS_RDONLY;
    const char* data = o.data.empty() ? nullptr : o.data.c_str();
    if (::mount(m.source.c_str(), tp.c_str(), m.type.c_str(), flags, data) < 0) {
        int err = errno;
        // Without its own network (or ipc) namespace a container may not mount sysfs (or mqueue):
        // bind the host's instead, read-only, as runc does.
        if ((err == EPERM || err == EBUSY) && (m.type == "sysfs" || m.type == "mqueue")) {
            const char* host = m.type == "sysfs" ? "/sys" : "/dev/mqueue";
            log::debug("{}: {} mount not permitted, binding the host's {}", where, m.type, host);
            sys_mount(host, tp, nullptr, MS_BIND | MS_REC, nullptr, fmt::format("{}: bind {}", where, host));
            UniqueFd t = open_in_root(ctx.root_fd, m.destination);
            bind_remount(fd_path(t.get()), flags | MS_RDONLY, where + ": remount read-only");
        } else {
            throw SysError(err, "{}: mount {} ({}) on {}{}", where, m.source, m.type, m.destination,
                           data ? fmt::format(" with \"{}\"", data) : "");
        }
    }
    apply_after(m, o, ctx, where);
}

}  // namespace mogu::runtime
