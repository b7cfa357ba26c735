// The agent's rewrite of a host config.json for the guest: what names host things goes, the
// rest is kept as written.
#include "common/json.h"
#include "kvm-launcher/agent/guest_config.h"

#include "tests/unit/kvm/expect.h"

#include <criterion/criterion.h>

#include <algorithm>

using namespace mogu;
using namespace mogu::vm::agent;

namespace {

const char* kHostConfig = R"({
  "ociVersion": "1.0.2",
  "process": {"args": ["sh"], "cwd": "/", "apparmorProfile": "docker-default", "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]},
  "root": {"path": "/run/containerd/io.containerd.runtime.v2.task/default/x/rootfs", "readonly": true},
  "hostname": "box",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/etc/resolv.conf", "type": "bind", "source": "/var/lib/x/resolv.conf", "options": ["rbind", "ro"]}
  ],
  "hooks": {"prestart": [{"path": "/usr/bin/setup-net"}]},
  "annotations": {"io.mogu.isolation": "vm"},
  "linux": {
    "cgroupsPath": "/default/x",
    "namespaces": [{"type": "pid"}, {"type": "network", "path": "/var/run/netns/cni-1"}],
    "resources": {"memory": {"limit": 1048576}, "cpu": {"quota": 50000, "period": 100000, "cpus": "2-3", "mems": "0"},
                  "blockIO": {"weight": 100, "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1}]},
                  "hugepageLimits": [{"pageSize": "2MB", "limit": 0}]},
    "mountLabel": "system_u"
  }
})";

GuestConfig rewrite(const char* json = kHostConfig) {
    return guest_config(json, {"x", "/run/mogu-agent/rootfs", {{"/var/lib/x/resolv.conf", "/run/mogu-agent/files/0-resolv.conf"}}});
}

bool dropped(const GuestConfig& c, const char* path) { return std::count(c.dropped.begin(), c.dropped.end(), path) > 0; }

}  // namespace

Test(guest_config, points_root_at_the_guest_mount_and_keeps_readonly) {
    GuestConfig c = rewrite();
    JsonDoc d = JsonDoc::parse(c.json, "out");
    expect_str(d.root().get("root")->get("path")->as_string(), "/run/mogu-agent/rootfs");
    cr_assert(d.root().get("root")->get("readonly")->as_bool());
}

Test(guest_config, moves_the_cgroup_under_mogu_in_the_guest) {
    JsonDoc d = JsonDoc::parse(rewrite().json, "out");
    expect_str(d.root().get("linux")->get("cgroupsPath")->as_string(), "/mogu/x");
}

Test(guest_config, gives_a_cgroup_path_when_the_host_had_none) {
    GuestConfig c = rewrite(R"({"root": {"path": "r"}, "linux": {"namespaces": []}})");
    JsonDoc d = JsonDoc::parse(c.json, "out");
    expect_str(d.root().get("linux")->get("cgroupsPath")->as_string(), "/mogu/x");
}

Test(guest_config, drops_host_namespace_paths_but_keeps_the_namespaces) {
    GuestConfig c = rewrite();
    JsonDoc d = JsonDoc::parse(c.json, "out");
    auto ns = d.root().get("linux")->get("namespaces")->elements();
    cr_assert_eq(ns.size(), 2);
    expect_str(ns[1].get("type")->as_string(), "network");
    cr_assert(!ns[1].get("path"));
    cr_assert(dropped(c, "linux.namespaces[].path"));
}

// A pod's container: the host paths of its sandbox's namespaces become the sandbox init's in the
// guest; a namespace without a path stays new (the kubelet's per-container PID namespace).
Test(guest_config, points_a_pod_containers_namespace_paths_at_its_sandbox_in_the_guest) {
    GuestConfigInputs in{"x", "/run/mogu-agent/rootfs", {}};
    in.namespace_pid = 42;
    GuestConfig c = guest_config(R"({"linux": {"namespaces": [{"type": "pid"}, {"type": "network", "path": "/var/run/netns/cni-1"},
        {"type": "ipc", "path": "/proc/7/ns/ipc"}, {"TYPE": "uts", "Path": "/proc/7/ns/uts"}, {"type": "mount"}]}})", in);
    JsonDoc d = JsonDoc::parse(c.json, "out");
    auto ns = d.root().get("linux")->get("namespaces")->elements();
    cr_assert_eq(ns.size(), 5);
    cr_assert(!ns[0].get("path"));
    expect_str(ns[1].get("path")->as_string(), "/proc/42/ns/net");
    expect_str(ns[2].get("path")->as_string(), "/proc/42/ns/ipc");
    expect_str(ns[3].get("path")->as_string(), "/proc/42/ns/uts");
    cr_assert(!ns[4].get("path"));
    cr_assert(!dropped(c, "linux.namespaces[].path"));
}

// A pod's sandbox lives in the VM's own network namespace, where the pod's NIC is.
Test(guest_config, leaves_a_pod_sandboxs_network_namespace_to_the_vm) {
    GuestConfigInputs in{"x", "/run/mogu-agent/rootfs", {}};
    in.vm_network = true;
    GuestConfig c = guest_config(kHostConfig, in);
    JsonDoc d = JsonDoc::parse(c.json, "out");
    auto ns = d.root().get("linux")->get("namespaces")->elements();
    cr_assert_eq(ns.size(), 1);
    expect_str(ns[0].get("type")->as_string(), "pid");
    cr_assert_eq(std::count_if(c.dropped.begin(), c.dropped.end(), [](const std::string& s) { return s.find("network") != s.npos; }), 1);
}

Test(guest_config, drops_hooks_lsm_labels_and_host_cpu_and_device_numbers) {
    GuestConfig c = rewrite();
    JsonDoc d = JsonDoc::parse(c.json, "out");
    cr_assert(!d.root().get("hooks"));
    cr_assert(!d.root().get("process")->get("apparmorProfile"));
    cr_assert(!d.root().get("linux")->get("mountLabel"));
    auto cpu = *d.root().get("linux")->get("resources")->get("cpu");
    cr_assert(!cpu.get("cpus"));
    cr_assert(!cpu.get("mems"));
    cr_assert_eq(cpu.get("quota")->as_int(), 50000);
    auto blkio = *d.root().get("linux")->get("resources")->get("blockIO");
    cr_assert_eq(blkio.get("weight")->as_int(), 100);
    cr_assert(!blkio.get("throttleReadBpsDevice"));
    cr_assert(!d.root().get("linux")->get("resources")->get("hugepageLimits"));
    for (const char* p : {"hooks", "process.apparmorProfile", "linux.mountLabel", "linux.resources.cpu.cpus"})
        cr_assert(dropped(c, p), "%s should be reported as dropped", p);
}

Test(guest_config, points_bind_mounts_of_host_files_at_their_guest_copies) {
    JsonDoc d = JsonDoc::parse(rewrite().json, "out");
    auto mounts = d.root().get("mounts")->elements();
    expect_str(mounts[0].get("source")->as_string(), "proc");
    expect_str(mounts[1].get("source")->as_string(), "/run/mogu-agent/files/0-resolv.conf");
    cr_assert_eq(mounts[1].get("options")->size(), 2);
}

Test(guest_config, keeps_everything_else_as_written) {
    JsonDoc d = JsonDoc::parse(rewrite().json, "out");
    expect_str(d.root().get("hostname")->as_string(), "box");
    cr_assert_eq(d.root().get("linux")->get("resources")->get("memory")->get("limit")->as_int(), 1048576);
    cr_assert_eq(d.root().get("process")->get("rlimits")->at(0).get("hard")->as_int(), 1024);
    expect_str(d.root().get("annotations")->get("io.mogu.isolation")->as_string(), "vm");
}

// The runtime reads keys ignoring case (as runc does): a host path under "Path" or "HOOKS" would
// reach the guest's runtime if the rewrite matched keys exactly. Found by fuzz-agent_ttrpc.
Test(guest_config, rewrites_keys_whatever_their_case) {
    GuestConfig c = rewrite(R"({"root": {"paTh": "/var/lib/containerd/rootfs"}, "HOOKS": {"prestart": []},
        "linux": {"CgroupsPath": "/kubepods/x", "Namespaces": [{"type": "network", "PATH": "/var/run/netns/n"}]},
        "Mounts": [{"destination": "/etc/resolv.conf", "Source": "/var/lib/x/resolv.conf"}]})");
    JsonDoc d = JsonDoc::parse(c.json, "out");
    expect_str(d.root().get("root")->get("path")->as_string(), "/run/mogu-agent/rootfs");
    cr_assert(!d.root().get("hooks"));
    expect_str(d.root().get("linux")->get("cgroupsPath")->as_string(), "/mogu/x");
    cr_assert(!d.root().get("linux")->get("namespaces")->at(0).get("path"));
    expect_str(d.root().get("mounts")->at(0).get("source")->as_string(), "/run/mogu-agent/files/0-resolv.conf");
    cr_assert(dropped(c, "HOOKS"));
}

Test(guest_config, refuses_json_that_is_not_an_object) {
    cr_assert_throw(rewrite("[1, 2]"), std::exception);
    cr_assert_throw(rewrite("{\"root\": "), std::exception);
}
