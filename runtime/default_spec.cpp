#include "runtime/default_spec.h"

#include "common/error.h"
#include "common/json.h"
#include "runtime/cgroups/cgroup.h"

#include <unistd.h>

namespace mogu::runtime {

const std::vector<std::string>& default_masked_paths() {
    static const std::vector<std::string> paths = {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                                   "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                                   "/proc/sched_debug", "/sys/firmware", "/proc/scsi"};
    return paths;
}

const std::vector<std::string>& default_readonly_paths() {
    static const std::vector<std::string> paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
    return paths;
}

namespace {

void mount(JsonWriter& w, const char* dest, const char* type, const char* source, const std::vector<std::string>& opts) {
    w.begin_object().kv("destination", dest).kv("type", type).kv("source", source);
    if (!opts.empty()) w.key("options").string_array(opts);
    w.end_object();
}

// runc gives the example spec a cgroup namespace only on a pure cgroup v2 host. On v1 and hybrid
// hosts it has none, and scripts that add one themselves expect not to find it there already.
bool host_is_cgroup_v2_only() {
    try {
        return cgroups::detect()->layout() == cgroups::Layout::v2;
    } catch (const Error&) {
        return false;  // no cgroup mount at all: no namespace to root anywhere
    }
}

}  // namespace

std::string default_spec_json(bool rootless) {
    const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    JsonWriter w(true);
    w.begin_object().kv("ociVersion", "1.0.2");
    w.key("process").begin_object().kv("terminal", true);
    w.key("user").begin_object().kv("uid", 0).kv("gid", 0).end_object();
    w.key("args").string_array({"sh"});
    w.key("env").string_array({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"});
    w.kv("cwd", "/");
    w.key("capabilities").begin_object();
    for (const char* set : {"bounding", "effective", "permitted", "ambient"}) w.key(set).string_array(caps);
    w.end_object();
    w.key("rlimits").begin_array().begin_object().kv("type", "RLIMIT_NOFILE").kv("hard", 1024).kv("soft", 1024).end_object().end_array();
    w.kv("noNewPrivileges", true).end_object();
    w.key("root").begin_object().kv("path", "rootfs").kv("readonly", true).end_object();
    w.kv("hostname", "mogu");
    w.key("mounts").begin_array();
    mount(w, "/proc", "proc", "proc", {});
    mount(w, "/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"});
    mount(w, "/dev/pts", "devpts", "devpts",
          rootless ? std::vector<std::string>{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}
                   : std::vector<std::string>{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"});
    mount(w, "/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"});
    mount(w, "/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"});
    if (rootless) {
        mount(w, "/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"});
    } else {
        mount(w, "/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"});
        mount(w, "/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"});
    }
    w.end_array();
    w.key("linux").begin_object();
    if (rootless) {
        w.key("uidMappings").begin_array().begin_object().kv("containerID", 0).kv("hostID", static_cast<unsigned>(::getuid())).kv("size", 1).end_object().end_array();
        w.key("gidMappings").begin_array().begin_object().kv("containerID", 0).kv("hostID", static_cast<unsigned>(::getgid())).kv("size", 1).end_object().end_array();
    } else {
        w.key("resources").begin_object().key("devices").begin_array().begin_object().kv("allow", false).kv("access", "rwm").end_object().end_array().end_object();
    }
    w.key("namespaces").begin_array();
    for (const char* ns : {"pid", "network", "ipc", "uts", "mount"}) {
        if (rootless && std::string(ns) == "network") continue;
        w.begin_object().kv("type", ns).end_object();
    }
    if (host_is_cgroup_v2_only()) w.begin_object().kv("type", "cgroup").end_object();
    if (rootless) w.begin_object().kv("type", "user").end_object();
    w.end_array();
    w.key("maskedPaths").string_array(default_masked_paths());
    w.key("readonlyPaths").string_array(default_readonly_paths());
    w.end_object().end_object();
    return w.str() + "\n";
}

}  // namespace mogu::runtime
