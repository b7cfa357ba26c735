#include "runtime/linux/devices.h"

#include "common/error.h"
#include "common/files.h"
#include "runtime/linux/in_root.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {

const std::vector<oci::Device>& default_devices() {
    static const std::vector<oci::Device> devs = {
        {"/dev/null", 'c', 1, 3, 0666, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
        {"/dev/full", 'c', 1, 7, 0666, 0, 0},    {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
        {"/dev/random", 'c', 1, 8, 0666, 0, 0},  {"/dev/urandom", 'c', 1, 9, 0666, 0, 0},
    };
    return devs;
}

std::vector<oci::Device> container_devices(const oci::Spec& spec) {
    std::vector<oci::Device> out;
    const std::vector<oci::Device> none;
    const auto& extra = spec.linux ? spec.linux->devices : none;
    for (const auto& d : default_devices()) {
        bool overridden = false;
        for (const auto& e : extra) overridden |= e.path == d.path;
        if (!overridden) out.push_back(d);
    }
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
}

std::vector<oci::DeviceRule> device_cgroup_rules(const oci::Spec& spec) {
    std::vector<oci::DeviceRule> rules;
    if (spec.linux && spec.linux->resources) rules = spec.linux->resources->devices;
    // runc's fixed list, appended after the spec's rules. linux.devices only says which nodes to
    // create: a device the spec's rules deny stays denied, however it got into /dev.
    auto allow = [&](char type, std::optional<int64_t> major, std::optional<int64_t> minor, const char* access) {
        rules.push_back(oci::DeviceRule{true, type, major, minor, access});
    };
    allow('c', std::nullopt, std::nullopt, "m");  // mknod of any node; opening it is another matter
    allow('b', std::nullopt, std::nullopt, "m");
    for (const auto& d : default_devices()) allow(d.type, d.major, d.minor, "rwm");
    allow('c', 136, std::nullopt, "rwm");  // /dev/pts/*
    allow('c', 5, 2, "rwm");               // /dev/ptmx
    allow('c', 10, 200, "rwm");            // /dev/net/tun, which runc has always allowed
    return rules;
}

namespace {

mode_t node_type(char t) {
    switch (t) {
        case 'b': return S_IFBLK;
        case 'p': return S_IFIFO;
        default: return S_IFCHR;  // 'c' and 'u' (unbuffered character device)
    }
}

}  // namespace

void create_devices(int root_fd, const std::vector<oci::Device>& devices, bool bind_from_host) {
    mode_t old_umask = ::umask(0);
    try {
        for (const auto& d : devices) {
            std::string dir = dirname_of(d.path), name = basename_of(d.path);
            UniqueFd parent = make_in_root(root_fd, dir, NodeKind::directory);
            // Whatever the image left at that name (a regular file, a stale node) is replaced.
            if (::unlinkat(parent.get(), name.c_str(), 0) < 0 && errno != ENOENT && errno != EISDIR)
                throw SysError(errno, "remove {} before creating the device", d.path);
            if (bind_from_host) {
                UniqueFd f(::openat(parent.get(), name.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000));
                if (!f) throw SysError(errno, "create mount point for device {}", d.path);
                UniqueFd target = open_in_root(root_fd, d.path);
                if (::mount(d.path.c_str(), fd_path(target.get()).c_str(), nullptr, MS_BIND, nullptr) < 0)
                    throw SysError(errno, "bind mount device {} from the host", d.path);
                continue;
            }
            mode_t mode = node_type(d.type) | (d.file_mode.value_or(0666) & 07777);
            dev_t dev = d.type == 'p' ? 0 : makedev(d.major, d.minor);
            if (::mknodat(parent.get(), name.c_str(), mode, dev) < 0) throw SysError(errno, "mknod {}", d.path);
            if (::fchownat(parent.get(), name.c_str(), d.uid.value_or(0), d.gid.value_or(0), AT_SYMLINK_NOFOLLOW) < 0)
                throw SysError(errno, "chown {}", d.path);
        }
    } catch (...) {
        ::umask(old_umask);
        throw;
    }
    ::umask(old_umask);
}

void create_dev_symlinks(int root_fd) {
    UniqueFd dev = make_in_root(root_fd, "/dev", NodeKind::directory);
    struct Link {
        const char* target;
        const char* name;
    };
    std::vector<Link> links = {{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}};
    if (path_exists("/proc/kcore")) links.push_back({"/proc/kcore", "core"});
    for (const auto& l : links)
        if (::symlinkat(l.target, dev.get(), l.name) < 0 && errno != EEXIST) throw SysError(errno, "symlink /dev/{} -> {}", l.name, l.target);
    // The devpts instance mounted at /dev/pts brings its own ptmx; /dev/ptmx must point at it.
    if (::unlinkat(dev.get(), "ptmx", 0) < 0 && errno != ENOENT) throw SysError(errno, "remove /dev/ptmx");
    if (::symlinkat("pts/ptmx", dev.get(), "ptmx") < 0) throw SysError(errno, "symlink /dev/ptmx -> pts/ptmx");
}

}  // namespace mogu::runtime
