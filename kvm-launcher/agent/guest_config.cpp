#include "kvm-launcher/agent/guest_config.h"

#include "common/json.h"
#include "common/strings.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <vector>

namespace mogu::vm::agent {
namespace {

// Paths are written with "[]" for any array element: "linux.namespaces[].path". Keys are matched
// as the runtime reads them (Json::get, like Go's encoding/json): ignoring case, so a "Hooks" or a
// "root": {"Path": ...} is rewritten too, not passed through to name the host's files.
const std::vector<std::string_view> kDropped = {
    "hooks",                                // host binaries
    "process.apparmorProfile",              // the guest has no LSM policy: the VM is the boundary
    "process.selinuxLabel",
    "linux.mountLabel",
    "linux.intelRdt",
    "linux.resources.cpu.cpus",             // host CPU numbers: the VM has its own vCPUs
    "linux.resources.cpu.mems",
    "linux.resources.blockIO.weightDevice",  // host device numbers
    "linux.resources.blockIO.throttleReadBpsDevice",
    "linux.resources.blockIO.throttleWriteBpsDevice",
    "linux.resources.blockIO.throttleReadIOPSDevice",
    "linux.resources.blockIO.throttleWriteIOPSDevice",
    "linux.resources.hugepageLimits",       // the guest has no huge pages reserved
    "linux.resources.network",
    "linux.resources.rdma",
};

bool is(const std::string& path, std::string_view want) { return equal_ignoring_ascii_case(path, want); }

// The name under /proc/<pid>/ns/ of a spec namespace type ("" for a type the runtime refuses anyway).
std::string proc_ns_name(const std::string& type) {
    static const std::pair<std::string_view, std::string_view> kNames[] = {
        {"network", "net"}, {"mount", "mnt"}, {"ipc", "ipc"}, {"uts", "uts"},
        {"pid", "pid"}, {"user", "user"}, {"cgroup", "cgroup"}, {"time", "time"}};
    for (auto& [spec, proc] : kNames)
        if (spec == type) return std::string(proc);
    return "";
}

bool dropped(const std::string& path) {
    return std::any_of(kDropped.begin(), kDropped.end(), [&](std::string_view d) { return is(path, d); });
}

class Rewriter {
public:
    Rewriter(const GuestConfigInputs& in, GuestConfig& out) : in_(in), out_(out) {}

    void value(const Json& v, const std::string& path) {
        if (v.is_object()) {
            w_.begin_object();
            v.for_each_member([&](std::string_view k, const Json& m) { member(path.empty() ? std::string(k) : path + "." + std::string(k), k, m); });
            // Without a cgroupsPath the runtime would pick one; the agent keeps its containers under /mogu.
            if (is(path, "linux") && !v.get("cgroupsPath")) w_.kv("cgroupsPath", "/mogu/" + in_.id);
            w_.end_object();
        } else if (v.is_array()) {
            w_.begin_array();
            for (const auto& e : v.elements()) value(e, path + "[]");
            w_.end_array();
        } else {
            w_.value(v);
        }
    }

    std::string str() const { return w_.str(); }

private:
    void member(const std::string& path, std::string_view key, const Json& v) {
        if (dropped(path)) {
            out_.dropped.push_back(path);
            return;
        }
        if (is(path, "linux.namespaces") && v.is_array()) return namespaces(key, v);
        w_.key(key);
        if (is(path, "root.path")) {
            w_.value(in_.rootfs);
        } else if (is(path, "linux.cgroupsPath")) {
            w_.value("/mogu/" + in_.id);
        } else if (is(path, "mounts[].source") && v.is_string()) {
            auto it = in_.file_sources.find(v.as_string());
            w_.value(it != in_.file_sources.end() ? it->second : v.as_string());
        } else {
            value(v, path);
        }
    }

    // Host namespace paths name nothing in the guest: dropped (a new namespace), or for a pod's
    // container pointed at the sandbox's in the guest. A pod sandbox leaves out its network
    // namespace: it gets the VM's.
    void namespaces(std::string_view key, const Json& list) {
        w_.key(key).begin_array();
        for (const auto& ns : list.elements()) {
            if (!ns.is_object()) {
                w_.value(ns);
                continue;
            }
            auto type_json = ns.get("type");
            std::string type = type_json && type_json->is_string() ? type_json->as_string() : "";
            if (in_.vm_network && type == "network") {
                out_.dropped.push_back("linux.namespaces[network] (the pod's network is the VM's)");
                continue;
            }
            w_.begin_object();
            ns.for_each_member([&](std::string_view k, const Json& m) {
                if (!equal_ignoring_ascii_case(k, "path")) {
                    w_.key(k).value(m);
                    return;
                }
                if (in_.namespace_pid > 0 && !proc_ns_name(type).empty()) {
                    w_.key(k).value(fmt::format("/proc/{}/ns/{}", in_.namespace_pid, proc_ns_name(type)));
                } else {
                    out_.dropped.push_back("linux.namespaces[].path");
                }
            });
            w_.end_object();
        }
        w_.end_array();
    }

    const GuestConfigInputs& in_;
    GuestConfig& out_;
    JsonWriter w_{true};
};

}  // namespace

GuestConfig guest_config(const std::string& host_config_json, const GuestConfigInputs& in) {
    JsonDoc doc = JsonDoc::parse(host_config_json, "config.json");
    doc.root().expect_object();
    GuestConfig out;
    Rewriter r(in, out);
    r.value(doc.root(), "");
    out.json = r.str();
    return out;
}

}  // namespace mogu::vm::agent
