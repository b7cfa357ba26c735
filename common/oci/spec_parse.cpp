// config.json -> oci::Spec. Type errors and values that are wrong on their own (relative paths,
// unknown names, out-of-range numbers) are reported here with their JSON path.
#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/oci/rlimits.h"
#include "common/oci/spec.h"

#include <sched.h>

#include <climits>

namespace mogu::oci {
namespace {

template <typename T>
std::optional<T> opt_uint(const Json& obj, std::string_view key, uint64_t max) {
    auto v = obj.get(key);
    if (!v) return std::nullopt;
    uint64_t n = v->as_uint();
    if (n > max) throw SpecError(v->path(), "{} is larger than {}", n, max);
    return static_cast<T>(n);
}

std::optional<int64_t> opt_int(const Json& obj, std::string_view key) {
    auto v = obj.get(key);
    if (!v) return std::nullopt;
    return v->as_int();
}

std::optional<bool> opt_bool(const Json& obj, std::string_view key) {
    auto v = obj.get(key);
    if (!v) return std::nullopt;
    return v->as_bool();
}

bool bool_or(const Json& obj, std::string_view key, bool def) { return opt_bool(obj, key).value_or(def); }

std::string require_string(const Json& obj, std::string_view key) {
    auto v = obj.get(key);
    if (!v) throw SpecError(obj.path().empty() ? std::string(key) : obj.path() + "." + std::string(key), "is required");
    return v->as_string();
}

void require_absolute(const Json& v, const std::string& s) {
    if (s.empty() || s[0] != '/') throw SpecError(v.path(), "\"{}\" must be an absolute path", s);
}

std::map<std::string, std::string> string_map(const Json& obj) {
    std::map<std::string, std::string> out;
    obj.for_each_member([&](std::string_view k, const Json& v) { out.emplace(k, v.as_string()); });
    return out;
}

std::vector<uint32_t> uint32_array(const Json& arr) {
    std::vector<uint32_t> out;
    for (const auto& e : arr.elements()) {
        uint64_t n = e.as_uint();
        if (n > UINT32_MAX) throw SpecError(e.path(), "{} is larger than {}", n, UINT32_MAX);
        out.push_back(static_cast<uint32_t>(n));
    }
    return out;
}

User parse_user(const Json& j) {
    j.expect_object();
    User u;
    u.uid = opt_uint<uint32_t>(j, "uid", UINT32_MAX).value_or(0);
    u.gid = opt_uint<uint32_t>(j, "gid", UINT32_MAX).value_or(0);
    u.umask = opt_uint<uint32_t>(j, "umask", 07777);
    if (auto g = j.get("additionalGids")) u.additional_gids = uint32_array(*g);
    u.username = j.string_or("username", "");
    return u;
}

std::vector<std::string> cap_list(const Json& caps, std::string_view key) { return caps.string_array(key); }

Rlimit parse_rlimit(const Json& j) {
    j.expect_object();
    Rlimit r;
    auto type = j.get("type");
    if (!type) throw SpecError(j.path() + ".type", "is required");
    r.type = type->as_string();
    r.resource = rlimit_from_name(r.type);
    if (r.resource < 0) throw SpecError(type->path(), "unknown rlimit type \"{}\"", r.type);
    auto hard = j.get("hard"), soft = j.get("soft");
    if (!hard) throw SpecError(j.path() + ".hard", "is required");
    if (!soft) throw SpecError(j.path() + ".soft", "is required");
    r.hard = hard->as_uint();
    r.soft = soft->as_uint();
    if (r.soft > r.hard) throw SpecError(j.path(), "soft limit {} is above hard limit {}", r.soft, r.hard);
    return r;
}

Mount parse_mount(const Json& j) {
    j.expect_object();
    Mount m;
    m.destination = require_string(j, "destination");
    require_absolute(*j.get("destination"), m.destination);
    m.type = j.string_or("type", "");
    m.source = j.string_or("source", "");
    m.options = j.string_array("options");
    return m;
}

// -1 keeps the kernel's default, as runc reads it; Docker writes it as a uint64 (2^64-1).
std::optional<uint64_t> parse_swappiness(const Json& memory) {
    auto v = memory.get("swappiness");
    if (!v) return std::nullopt;
    if (v->is_number() && v->as_double() == -1.0) return std::nullopt;
    uint64_t n = v->as_uint();
    if (n == UINT64_MAX) return std::nullopt;
    if (n > 100) throw SpecError(v->path(), "{} is out of range: swappiness is 0-100, or -1 for the kernel's default", n);
    return n;
}

Hook parse_hook(const Json& j) {
    j.expect_object();
    Hook h;
    h.path = require_string(j, "path");
    require_absolute(*j.get("path"), h.path);
    h.args = j.string_array("args");
    h.env = j.string_array("env");
    if (auto t = j.get("timeout")) {
        int64_t s = t->as_int();
        if (s <= 0) throw SpecError(t->path(), "timeout must be positive, got {}", s);
        h.timeout = static_cast<int>(std::min<int64_t>(s, INT_MAX));
    }
    return h;
}

Hooks parse_hooks(const Json& j) {
    j.expect_object();
    Hooks h;
    auto list = [&](std::string_view key, std::vector<Hook>& out) {
        if (auto a = j.get(key))
            for (const auto& e : a->elements()) out.push_back(parse_hook(e));
    };
    list("prestart", h.prestart);
    list("createRuntime", h.create_runtime);
    list("createContainer", h.create_container);
    list("startContainer", h.start_container);
    list("poststart", h.poststart);
    list("poststop", h.poststop);
    return h;
}

NamespaceType parse_namespace_type(const Json& v) {
    std::string s = v.as_string();
    static const std::pair<const char*, NamespaceType> names[] = {
        {"pid", NamespaceType::pid},   {"network", NamespaceType::network}, {"mount", NamespaceType::mount},
        {"ipc", NamespaceType::ipc},   {"uts", NamespaceType::uts},         {"user", NamespaceType::user},
        {"cgroup", NamespaceType::cgroup}, {"time", NamespaceType::time},
    };
    for (auto& [n, t] : names)
        if (s == n) return t;
    throw SpecError(v.path(), "unknown namespace type \"{}\"", s);
}

std::vector<IdMapping> parse_id_mappings(const Json& arr) {
    std::vector<IdMapping> out;
    for (const auto& e : arr.elements()) {
        e.expect_object();
        IdMapping m;
        auto field = [&](std::string_view k) -> uint32_t {
            auto v = opt_uint<uint32_t>(e, k, UINT32_MAX);
            if (!v) throw SpecError(e.path() + "." + std::string(k), "is required");
            return *v;
        };
        m.container_id = field("containerID");
        m.host_id = field("hostID");
        m.size = field("size");
        if (m.size == 0) throw SpecError(e.path() + ".size", "must be greater than 0");
        auto overlaps = [](uint64_t a, uint64_t b, uint32_t n, uint32_t k) { return a < b + k && b < a + n; };
        for (size_t i = 0; i < out.size(); ++i) {
            if (overlaps(m.container_id, out[i].container_id, m.size, out[i].size))
                throw SpecError(e.path(), "container ids {}..{} overlap those of entry [{}]", m.container_id,
                                uint64_t(m.container_id) + m.size - 1, i);
            if (overlaps(m.host_id, out[i].host_id, m.size, out[i].size))
                throw SpecError(e.path(), "host ids {}..{} overlap those of entry [{}]", m.host_id, uint64_t(m.host_id) + m.size - 1, i);
        }
        out.push_back(m);
    }
    return out;
}

Device parse_device(const Json& j) {
    j.expect_object();
    Device d;
    d.path = require_string(j, "path");
    require_absolute(*j.get("path"), d.path);
    std::string type = require_string(j, "type");
    if (type.size() != 1 || std::string_view("cbup").find(type[0]) == std::string_view::npos)
        throw SpecError(j.get("type")->path(), "device type must be one of c, b, u, p; got \"{}\"", type);
    d.type = type[0];
    if (d.type != 'p') {
        auto maj = j.get("major"), min = j.get("minor");
        if (!maj) throw SpecError(j.path() + ".major", "is required for device type {}", d.type);
        if (!min) throw SpecError(j.path() + ".minor", "is required for device type {}", d.type);
        d.major = maj->as_int_in(0, UINT32_MAX);
        d.minor = min->as_int_in(0, UINT32_MAX);
    }
    // Older containerd wrote the file type into fileMode too (0o20666 for a character device), and
    // runc accepts it: keep the permission bits.
    d.file_mode = opt_uint<uint32_t>(j, "fileMode", 0177777);
    if (d.file_mode) *d.file_mode &= 07777;
    d.uid = opt_uint<uint32_t>(j, "uid", UINT32_MAX);
    d.gid = opt_uint<uint32_t>(j, "gid", UINT32_MAX);
    return d;
}

DeviceRule parse_device_rule(const Json& j) {
    j.expect_object();
    DeviceRule r;
    auto allow = j.get("allow");
    if (!allow) throw SpecError(j.path() + ".allow", "is required");
    r.allow = allow->as_bool();
    std::string type = j.string_or("type", "a");
    if (type.size() != 1 || std::string_view("acb").find(type[0]) == std::string_view::npos)
        throw SpecError(j.path() + ".type", "device rule type must be a, c or b; got \"{}\"", type);
    r.type = type[0];
    if (auto v = j.get("major")) r.major = v->as_int_in(-1, UINT32_MAX);
    if (auto v = j.get("minor")) r.minor = v->as_int_in(-1, UINT32_MAX);
    if (r.major == -1) r.major.reset();
    if (r.minor == -1) r.minor.reset();
    r.access = j.string_or("access", "rwm");
    if (r.access.empty() || r.access.find_first_not_of("rwm") != std::string::npos)
        throw SpecError(j.path() + ".access", "access must be a combination of r, w, m; got \"{}\"", r.access);
    return r;
}

std::vector<ThrottleDevice> parse_throttle(const Json& parent, std::string_view key) {
    std::vector<ThrottleDevice> out;
    if (auto a = parent.get(key))
        for (const auto& e : a->elements()) {
            e.expect_object();
            ThrottleDevice d;
            d.major = opt_int(e, "major").value_or(0);
            d.minor = opt_int(e, "minor").value_or(0);
            auto rate = e.get("rate");
            if (!rate) throw SpecError(e.path() + ".rate", "is required");
            d.rate = rate->as_uint();
            out.push_back(d);
        }
    return out;
}

}  // namespace

Resources parse_resources(const Json& j) {
    j.expect_object();
    Resources r;
    if (auto devs = j.get("devices"))
        for (const auto& e : devs->elements()) r.devices.push_back(parse_device_rule(e));
    if (auto m = j.get("memory")) {
        m->expect_object();
        MemoryResources mem;
        mem.limit = opt_int(*m, "limit");
        mem.reservation = opt_int(*m, "reservation");
        mem.swap = opt_int(*m, "swap");
        mem.kernel = opt_int(*m, "kernel");
        mem.kernel_tcp = opt_int(*m, "kernelTCP");
        mem.swappiness = parse_swappiness(*m);
        mem.disable_oom_killer = opt_bool(*m, "disableOOMKiller");
        mem.use_hierarchy = opt_bool(*m, "useHierarchy");
        for (auto [name, val] : {std::pair{"limit", mem.limit}, {"reservation", mem.reservation}, {"swap", mem.swap}})
            if (val && *val < -1) throw SpecError(m->path() + "." + name, "must be -1 (unlimited) or a byte count, got {}", *val);
        r.memory = mem;
    }
    if (auto c = j.get("cpu")) {
        c->expect_object();
        CpuResources cpu;
        cpu.shares = opt_uint<uint64_t>(*c, "shares", UINT64_MAX);
        cpu.quota = opt_int(*c, "quota");
        cpu.period = opt_uint<uint64_t>(*c, "period", UINT64_MAX);
        cpu.realtime_runtime = opt_int(*c, "realtimeRuntime");
        cpu.realtime_period = opt_uint<uint64_t>(*c, "realtimePeriod", UINT64_MAX);
        cpu.idle = opt_int(*c, "idle");
        cpu.cpus = c->string_or("cpus", "");
        cpu.mems = c->string_or("mems", "");
        r.cpu = cpu;
    }
    if (auto p = j.get("pids")) {
        p->expect_object();
        auto limit = p->get("limit");
        if (!limit) throw SpecError(p->path() + ".limit", "is required");
        r.pids_limit = limit->as_int();
    }
    if (auto b = j.get("blockIO")) {
        b->expect_object();
        BlockIoResources io;
        io.weight = opt_uint<uint16_t>(*b, "weight", 1000);
        io.leaf_weight = opt_uint<uint16_t>(*b, "leafWeight", 1000);
        if (auto wd = b->get("weightDevice"))
            for (const auto& e : wd->elements()) {
                e.expect_object();
                WeightDevice d;
                d.major = opt_int(e, "major").value_or(0);
                d.minor = opt_int(e, "minor").value_or(0);
                d.weight = opt_uint<uint16_t>(e, "weight", 1000);
                d.leaf_weight = opt_uint<uint16_t>(e, "leafWeight", 1000);
                io.weight_device.push_back(d);
            }
        io.throttle_read_bps = parse_throttle(*b, "throttleReadBpsDevice");
        io.throttle_write_bps = parse_throttle(*b, "throttleWriteBpsDevice");
        io.throttle_read_iops = parse_throttle(*b, "throttleReadIOPSDevice");
        io.throttle_write_iops = parse_throttle(*b, "throttleWriteIOPSDevice");
        r.block_io = io;
    }
    if (auto h = j.get("hugepageLimits"))
        for (const auto& e : h->elements()) {
            e.expect_object();
            HugepageLimit l;
            l.page_size = require_string(e, "pageSize");
            auto lim = e.get("limit");
            if (!lim) throw SpecError(e.path() + ".limit", "is required");
            l.limit = lim->as_uint();
            r.hugepage_limits.push_back(l);
        }
    if (auto n = j.get("network")) {
        n->expect_object();
        NetworkResources net;
        net.class_id = opt_uint<uint32_t>(*n, "classID", UINT32_MAX);
        if (auto pr = n->get("priorities"))
            for (const auto& e : pr->elements()) {
                e.expect_object();
                net.priorities[require_string(e, "name")] = opt_uint<uint32_t>(e, "priority", UINT32_MAX).value_or(0);
            }
        r.network = net;
    }
    if (auto u = j.get("unified")) r.unified = string_map(*u);
    return r;
}

namespace {

Seccomp parse_seccomp(const Json& j) {
    j.expect_object();
    Seccomp s;
    s.default_action = require_string(j, "defaultAction");
    s.default_errno_ret = opt_uint<uint32_t>(j, "defaultErrnoRet", UINT32_MAX);
    s.architectures = j.string_array("architectures");
    s.flags = j.string_array("flags");
    s.listener_path = j.string_or("listenerPath", "");
    s.listener_metadata = j.string_or("listenerMetadata", "");
    if (auto sc = j.get("syscalls"))
        for (const auto& e : sc->elements()) {
            e.expect_object();
            SeccompSyscall call;
            call.path = e.path();
            call.names = e.string_array("names");
            if (call.names.empty()) throw SpecError(e.path() + ".names", "must list at least one syscall");
            call.action = require_string(e, "action");
            call.errno_ret = opt_uint<uint32_t>(e, "errnoRet", UINT32_MAX);
            if (auto args = e.get("args"))
                for (const auto& a : args->elements()) {
                    a.expect_object();
                    SeccompArg arg;
                    auto idx = a.get("index");
                    if (!idx) throw SpecError(a.path() + ".index", "is required");
                    arg.index = static_cast<uint32_t>(idx->as_int_in(0, 5));
                    arg.value = opt_uint<uint64_t>(a, "value", UINT64_MAX).value_or(0);
                    arg.value_two = opt_uint<uint64_t>(a, "valueTwo", UINT64_MAX).value_or(0);
                    arg.op = require_string(a, "op");
                    call.args.push_back(arg);
                }
            s.syscalls.push_back(std::move(call));
        }
    return s;
}

Linux parse_linux(const Json& j) {
    j.expect_object();
    Linux l;
    if (auto m = j.get("uidMappings")) l.uid_mappings = parse_id_mappings(*m);
    if (auto m = j.get("gidMappings")) l.gid_mappings = parse_id_mappings(*m);
    if (auto s = j.get("sysctl")) l.sysctl = string_map(*s);
    if (auto r = j.get("resources")) l.resources = parse_resources(*r);
    l.cgroups_path = j.string_or("cgroupsPath", "");
    if (auto ns = j.get("namespaces")) {
        for (const auto& e : ns->elements()) {
            e.expect_object();
            auto type = e.get("type");
            if (!type) throw SpecError(e.path() + ".type", "is required");
            Namespace n{parse_namespace_type(*type), e.string_or("path", "")};
            if (!n.path.empty()) require_absolute(*e.get("path"), n.path);
            for (const auto& prev : l.namespaces)
                if (prev.type == n.type)
                    throw SpecError(e.path(), "namespace \"{}\" is listed twice", namespace_type_name(n.type));
            l.namespaces.push_back(n);
        }
    }
    if (auto d = j.get("devices"))
        for (const auto& e : d->elements()) l.devices.push_back(parse_device(e));
    if (auto s = j.get("seccomp")) l.seccomp = parse_seccomp(*s);
    if (auto p = j.get("rootfsPropagation")) {
        l.rootfs_propagation = p->as_string();
        static const char* ok[] = {"", "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable"};
        bool known = false;
        for (auto* k : ok) known |= l.rootfs_propagation == k;
        if (!known) throw SpecError(p->path(), "unknown propagation \"{}\"", l.rootfs_propagation);
    }
    auto abs_list = [&](std::string_view key, std::vector<std::string>& out) {
        if (auto a = j.get(key))
            for (const auto& e : a->elements()) {
                std::string s = e.as_string();
                require_absolute(e, s);
                out.push_back(s);
            }
    };
    abs_list("maskedPaths", l.masked_paths);
    abs_list("readonlyPaths", l.readonly_paths);
    l.mount_label = j.string_or("mountLabel", "");
    return l;
}

}  // namespace

Process parse_process(const Json& j) {
    j.expect_object();
    Process p;
    p.terminal = bool_or(j, "terminal", false);
    if (auto cs = j.get("consoleSize")) {
        cs->expect_object();
        p.console_size = ConsoleSize{opt_uint<uint32_t>(*cs, "height", UINT16_MAX).value_or(0),
                                     opt_uint<uint32_t>(*cs, "width", UINT16_MAX).value_or(0)};
    }
    if (auto u = j.get("user")) p.user = parse_user(*u);
    auto args = j.get("args");
    if (!args || args->size() == 0)
        throw SpecError(j.path().empty() ? "args" : j.path() + ".args", "must name the program to run");
    for (const auto& e : args->elements()) p.args.push_back(e.as_string());
    p.env = j.string_array("env");
    for (size_t i = 0; i < p.env.size(); ++i)
        if (p.env[i].find('=') == std::string::npos)
            throw SpecError(fmt::format("{}env[{}]", j.path().empty() ? "" : j.path() + ".", i), "\"{}\" is not NAME=VALUE", p.env[i]);
    auto cwd = j.get("cwd");
    if (!cwd) throw SpecError(j.path().empty() ? "cwd" : j.path() + ".cwd", "is required");
    p.cwd = cwd->as_string();
    require_absolute(*cwd, p.cwd);
    if (auto c = j.get("capabilities")) {
        c->expect_object();
        p.capabilities = Capabilities{cap_list(*c, "bounding"), cap_list(*c, "effective"), cap_list(*c, "inheritable"),
                                      cap_list(*c, "permitted"), cap_list(*c, "ambient")};
    }
    if (auto r = j.get("rlimits"))
        for (const auto& e : r->elements()) {
            Rlimit rl = parse_rlimit(e);
            for (const auto& prev : p.rlimits)
                if (prev.resource == rl.resource) throw SpecError(e.path(), "rlimit {} is set twice", rl.type);
            p.rlimits.push_back(rl);
        }
    p.no_new_privileges = bool_or(j, "noNewPrivileges", false);
    p.apparmor_profile = j.string_or("apparmorProfile", "");
    if (auto o = j.get("oomScoreAdj")) p.oom_score_adj = static_cast<int>(o->as_int_in(-1000, 1000));
    p.selinux_label = j.string_or("selinuxLabel", "");
    return p;
}

Spec parse_spec(const Json& j) {
    j.expect_object();
    Spec s;
    s.oci_version = require_string(j, "ociVersion");
    if (auto p = j.get("process")) s.process = parse_process(*p);
    auto root = j.get("root");
    if (!root) throw SpecError("root", "is required");
    root->expect_object();
    s.root.path = require_string(*root, "path");
    if (s.root.path.empty()) throw SpecError("root.path", "must not be empty");
    s.root.readonly = bool_or(*root, "readonly", false);
    s.hostname = j.string_or("hostname", "");
    s.domainname = j.string_or("domainname", "");
    if (auto m = j.get("mounts"))
        for (const auto& e : m->elements()) s.mounts.push_back(parse_mount(e));
    if (auto h = j.get("hooks")) s.hooks = parse_hooks(*h);
    if (auto a = j.get("annotations")) s.annotations = string_map(*a);
    if (auto l = j.get("linux")) s.linux = parse_linux(*l);
    return s;
}

Spec load_spec(const std::string& config_path) {
    auto text = read_file_if_exists(config_path);
    if (!text) throw Error("{}: no such file (is --bundle right?)", config_path);
    try {
        auto doc = JsonDoc::parse(*text, config_path);
        return parse_spec(doc.root());
    } catch (const SpecError& e) {
        throw Error("{}: {}", config_path, e.what());
    }
}

const Namespace* Linux::find_namespace(NamespaceType t) const {
    for (const auto& n : namespaces)
        if (n.type == t) return &n;
    return nullptr;
}

const char* namespace_type_name(NamespaceType t) {
    switch (t) {
        case NamespaceType::pid: return "pid";
        case NamespaceType::network: return "network";
        case NamespaceType::mount: return "mount";
        case NamespaceType::ipc: return "ipc";
        case NamespaceType::uts: return "uts";
        case NamespaceType::user: return "user";
        case NamespaceType::cgroup: return "cgroup";
        case NamespaceType::time: return "time";
    }
    return "?";
}

int namespace_clone_flag(NamespaceType t) {
    switch (t) {
        case NamespaceType::pid: return CLONE_NEWPID;
        case NamespaceType::network: return CLONE_NEWNET;
        case NamespaceType::mount: return CLONE_NEWNS;
        case NamespaceType::ipc: return CLONE_NEWIPC;
        case NamespaceType::uts: return CLONE_NEWUTS;
        case NamespaceType::user: return CLONE_NEWUSER;
        case NamespaceType::cgroup: return CLONE_NEWCGROUP;
        case NamespaceType::time: return CLONE_NEWTIME;
    }
    return 0;
}

const char* namespace_proc_name(NamespaceType t) {
    switch (t) {
        case NamespaceType::pid: return "pid";
        case NamespaceType::network: return "net";
        case NamespaceType::mount: return "mnt";
        case NamespaceType::ipc: return "ipc";
        case NamespaceType::uts: return "uts";
        case NamespaceType::user: return "user";
        case NamespaceType::cgroup: return "cgroup";
        case NamespaceType::time: return "time";
    }
    return "?";
}

}  // namespace mogu::oci
