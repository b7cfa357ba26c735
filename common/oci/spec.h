// The OCI runtime spec (config.json) as plain C++ values. Parsing and per-field checks live in
// spec_parse.cpp; cross-field checks that depend on the runtime live in runtime/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mogu {
class Json;
}

namespace mogu::oci {

struct User {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additional_gids;
    std::string username;
};

struct ConsoleSize {
    uint32_t height = 0;
    uint32_t width = 0;
};

struct Capabilities {
    std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
};

struct Rlimit {
    std::string type;  // "RLIMIT_NOFILE"
    int resource = -1;  // RLIMIT_NOFILE
    uint64_t hard = 0;
    uint64_t soft = 0;
};

struct Process {
    bool terminal = false;
    std::optional<ConsoleSize> console_size;
    User user;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::string cwd = "/";
    std::optional<Capabilities> capabilities;
    std::vector<Rlimit> rlimits;
    bool no_new_privileges = false;
    std::string apparmor_profile;
    std::optional<int> oom_score_adj;
    std::string selinux_label;
};

struct Root {
    std::string path;
    bool readonly = false;
};

struct Mount {
    std::string destination;
    std::string type;
    std::string source;
    std::vector<std::string> options;
};

struct Hook {
    std::string path;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::optional<int> timeout;  // seconds
};

struct Hooks {
    std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart, poststop;
};

enum class NamespaceType { pid, network, mount, ipc, uts, user, cgroup, time };
const char* namespace_type_name(NamespaceType t);
// CLONE_NEW* flag for the type.
int namespace_clone_flag(NamespaceType t);
// Name of the file under /proc/<pid>/ns/.
const char* namespace_proc_name(NamespaceType t);

struct Namespace {
    NamespaceType type;
    std::string path;  // empty: create a new one
};

struct IdMapping {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
};

struct Device {
    std::string path;
    char type = 'c';  // c, b, u, p
    int64_t major = 0;
    int64_t minor = 0;
    std::optional<uint32_t> file_mode;
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
};

// linux.resources.devices[]: an allow/deny rule for the devices cgroup.
struct DeviceRule {
    bool allow = false;
    char type = 'a';  // a, c, b
    std::optional<int64_t> major;  // nullopt: any ("*")
    std::optional<int64_t> minor;
    std::string access = "rwm";
};

struct MemoryResources {
    std::optional<int64_t> limit, reservation, swap, kernel, kernel_tcp;
    std::optional<uint64_t> swappiness;
    std::optional<bool> disable_oom_killer, use_hierarchy;
};

struct CpuResources {
    std::optional<uint64_t> shares;
    std::optional<int64_t> quota;
    std::optional<uint64_t> period;
    std::optional<int64_t> realtime_runtime;
    std::optional<uint64_t> realtime_period;
    std::optional<int64_t> idle;
    std::string cpus;
    std::string mems;
};

struct WeightDevice {
    int64_t major = 0, minor = 0;
    std::optional<uint16_t> weight, leaf_weight;
};

struct ThrottleDevice {
    int64_t major = 0, minor = 0;
    uint64_t rate = 0;
};

struct BlockIoResources {
    std::optional<uint16_t> weight, leaf_weight;
    std::vector<WeightDevice> weight_device;
    std::vector<ThrottleDevice> throttle_read_bps, throttle_write_bps, throttle_read_iops, throttle_write_iops;
};

struct HugepageLimit {
    std::string page_size;  // "2MB"
    uint64_t limit = 0;
};

struct NetworkResources {
    std::optional<uint32_t> class_id;
    std::map<std::string, uint32_t> priorities;  // interface -> priority
};

struct Resources {
    std::vector<DeviceRule> devices;
    std::optional<MemoryResources> memory;
    std::optional<CpuResources> cpu;
    std::optional<int64_t> pids_limit;
    std::optional<BlockIoResources> block_io;
    std::vector<HugepageLimit> hugepage_limits;
    std::optional<NetworkResources> network;
    std::map<std::string, std::string> unified;
};

struct SeccompArg {
    uint32_t index = 0;
    uint64_t value = 0;
    uint64_t value_two = 0;
    std::string op;
};

struct SeccompSyscall {
    std::vector<std::string> names;
    std::string action;
    std::optional<uint32_t> errno_ret;
    std::vector<SeccompArg> args;
    std::string path;  // JSON path, for errors found later (unknown syscall name)
};

struct Seccomp {
    std::string default_action;
    std::optional<uint32_t> default_errno_ret;
    std::vector<std::string> architectures;
    std::vector<std::string> flags;
    std::string listener_path;
    std::string listener_metadata;
    std::vector<SeccompSyscall> syscalls;
};

struct Linux {
    std::vector<IdMapping> uid_mappings, gid_mappings;
    std::map<std::string, std::string> sysctl;
    std::optional<Resources> resources;
    std::string cgroups_path;
    std::vector<Namespace> namespaces;
    std::vector<Device> devices;
    std::optional<Seccomp> seccomp;
    std::string rootfs_propagation;
    std::vector<std::string> masked_paths;
    std::vector<std::string> readonly_paths;
    std::string mount_label;

    const Namespace* find_namespace(NamespaceType t) const;
};

struct Spec {
    std::string oci_version;
    std::optional<Process> process;
    Root root;
    std::string hostname;
    std::string domainname;
    std::vector<Mount> mounts;
    Hooks hooks;
    std::map<std::string, std::string> annotations;
    std::optional<Linux> linux;
};

// Parses a whole config.json; every problem is a SpecError naming the JSON path.
Spec parse_spec(const Json& root);
// Parses a process object on its own (`exec --process FILE`).
Process parse_process(const Json& j);
// Parses linux.resources alone (`update --resources FILE`).
Resources parse_resources(const Json& j);

// Loads and parses <bundle>/config.json; errors are prefixed with the file's path.
Spec load_spec(const std::string& config_path);

}  // namespace mogu::oci
