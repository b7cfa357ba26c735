#include "common/vm_state_record.h"

#include "common/json.h"

namespace mogu::vm {

std::string state_to_json(const VmState& s) {
    JsonWriter w;
    w.begin_object()
        .kv("id", s.id)
        .kv("bundle", s.bundle)
        .kv("rootfs", s.rootfs)
        .kv("created", s.created)
        .kv("pid", int64_t(s.pid))
        .kv("pid_start", s.pid_start)
        .kv("qemu_pid", int64_t(s.qemu_pid))
        .kv("qemu_start", s.qemu_start)
        .kv("accel", s.accel)
        .kv("machine", s.machine)
        .kv("kernel", s.kernel)
        .kv("vcpus", s.vcpus)
        .kv("memory_mib", s.memory_mib)
        .kv("rootfs_mode", s.rootfs_mode)
        .kv("image", s.image)
        .kv("cgroup", s.cgroup)
        .kv("sandbox", s.sandbox)
        .kv("pod_share", s.pod_share);
    w.key("annotations").begin_object();
    for (auto& [k, v] : s.annotations) w.kv(k, v);
    w.end_object().end_object();
    return w.str();
}

VmState state_from_json(const std::string& text, const std::string& source) {
    JsonDoc doc = JsonDoc::parse(text, source);
    Json r = doc.root();
    VmState s;
    s.id = r.string_or("id", "");
    s.bundle = r.string_or("bundle", "");
    s.rootfs = r.string_or("rootfs", "");
    s.created = r.string_or("created", "");
    if (auto v = r.get("pid")) s.pid = pid_t(v->as_int());
    if (auto v = r.get("pid_start")) s.pid_start = v->as_uint();
    if (auto v = r.get("qemu_pid")) s.qemu_pid = pid_t(v->as_int());
    if (auto v = r.get("qemu_start")) s.qemu_start = v->as_uint();
    s.accel = r.string_or("accel", "");
    s.machine = r.string_or("machine", "");
    s.kernel = r.string_or("kernel", "");
    if (auto v = r.get("vcpus")) s.vcpus = unsigned(v->as_uint());
    if (auto v = r.get("memory_mib")) s.memory_mib = unsigned(v->as_uint());
    s.rootfs_mode = r.string_or("rootfs_mode", "");
    s.image = r.string_or("image", "");
    s.cgroup = r.string_or("cgroup", "");
    s.sandbox = r.string_or("sandbox", "");
    s.pod_share = r.string_or("pod_share", "");
    if (auto a = r.get("annotations"))
        a->for_each_member([&](std::string_view k, const Json& v) { s.annotations[std::string(k)] = v.as_string(); });
    return s;
}

std::string exit_to_json(const VmExit& e) {
    JsonWriter w;
    w.begin_object().kv("exit_code", e.exit_code).kv("error", e.error).kv("oom_killed", e.oom_killed);
    if (e.oom_killed) w.kv("oom_process", e.oom_process).kv("oom_pid", int64_t(e.oom_pid));
    w.end_object();
    return w.str();
}

VmExit exit_from_json(const std::string& text, const std::string& source) {
    JsonDoc doc = JsonDoc::parse(text, source);
    VmExit e;
    if (auto v = doc.root().get("exit_code")) e.exit_code = int(v->as_int());
    e.error = doc.root().string_or("error", "");
    if (auto v = doc.root().get("oom_killed")) e.oom_killed = v->as_bool();
    e.oom_process = doc.root().string_or("oom_process", "");
    if (auto v = doc.root().get("oom_pid")) e.oom_pid = int(v->as_int());
    return e;
}

}  // namespace mogu::vm
