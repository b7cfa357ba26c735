// Fuzz target: the bytes the host writes to mogu-agent's control port (virtio-serial inside a
// mogu-vm guest), served by the agent's real ttrpc server with its real Agent service (every
// mogu.vm.agent.v1.Agent method registered), as the agent serves mogu-vm. Then, for every
// CreateContainer request among them, the agent's rewrite of the host's config.json for the
// guest (guest_config), which Create reaches only after mounting the rootfs.
//
// Input: tests/fuzz/ttrpc_client.h (raw frames, or calls of every Agent method framed by the
// harness, so mutations land in the protobuf requests).
//
// Expected: every request is answered (an error status for bad input), the server stays up,
// and guest_config ends in a mogu::Error or returns a config.json with the guest's root path,
// cgroups path and file copies and nothing of the host's it promises to leave out: no namespace
// path but a pod container's, pointed at its sandbox's init in the guest; no network namespace
// for a pod sandbox. Findings: a
// sanitizer report, a leak, a hang, a broken promise of the harness or of guest_config.
//
// Sandbox: CreateContainer makes /run/mogu-agent, mounts a block device or a 9p share there
// and runs the container; Shutdown would power the machine off (here a callback that only
// notes it). The target runs in tests/fuzz/sandbox.h's Landlock sandbox: writes only where
// libFuzzer writes and in $TMPDIR, no exec, no mount, so Create fails at its first step. Replay
// a reproducer with MOGU_FUZZ_NO_SANDBOX=1 only after reading what it asks for.
#include "common/error.h"
#include "common/json.h"
#include "common/log.h"
#include "kvm-launcher/agent/agent_service.h"
#include "kvm-launcher/agent/guest_config.h"
#include "kvm-launcher/proto/agent.pb.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/sandbox.h"
#include "tests/fuzz/ttrpc_client.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/server.h"

#include <cstdint>
#include <string>

using namespace mogu;
using namespace mogu::vm::agent;

namespace {

constexpr const char* kMethods[] = {
    "Ping",       "CreateContainer", "StartContainer", "State", "ExecProcess", "SignalProcess",
    "WaitProcess", "ReadStream",     "WriteStdin",     "CloseStdin", "ResizePty", "Pause",
    "Resume",     "Pids",            "Update",         "Stats",       "RemoveContainer", "Shutdown",
};

// The guest pid a pod container's namespace paths are pointed at (the sandbox's init).
constexpr int kSandboxPid = 4242;

// What guest_config promises of the config.json it returns for `host` (which parsed).
void check_guest_config(const Json& host, const GuestConfig& out, const GuestConfigInputs& in) {
    JsonDoc doc = JsonDoc::parse(out.json, "guest config.json");
    const Json& root = doc.root();
    fuzz::require(root.is_object(), "guest_config returned something other than an object");
    fuzz::require(!root.get("hooks"), "guest_config kept the host's hooks");
    if (auto r = root.get("root"); r && r->is_object())
        if (auto p = r->get("path")) fuzz::require(p->is_string() && p->as_string() == in.rootfs, "root.path is not the guest's rootfs");
    auto linux = root.get("linux");
    if (linux && linux->is_object()) {
        auto cg = linux->get("cgroupsPath");
        fuzz::require(cg && cg->is_string() && cg->as_string() == "/mogu/" + in.id, "linux.cgroupsPath is not the agent's");
        fuzz::require(!linux->get("mountLabel") && !linux->get("intelRdt"), "guest_config kept a host LSM label or RDT");
        if (auto ns = linux->get("namespaces"); ns && ns->is_array())
            for (const auto& n : ns->elements()) {
                if (!n.is_object()) continue;
                auto type = n.get("type");
                fuzz::require(!in.vm_network || !type || !type->is_string() || type->as_string() != "network",
                              "a pod sandbox kept a network namespace of its own");
                auto path = n.get("path");
                if (!path) continue;
                // Only a pod's container has namespace paths, and only its sandbox's in the guest.
                std::string prefix = fmt::format("/proc/{}/ns/", in.namespace_pid);
                fuzz::require(in.namespace_pid > 0 && path->is_string() && path->as_string().rfind(prefix, 0) == 0 &&
                                  path->as_string().find('/', prefix.size()) == std::string::npos,
                              "guest_config kept a host namespace path");
            }
    }
    // Mounts keep their order: each source the request carried a file for names the copy.
    auto host_mounts = host.get("mounts"), guest_mounts = root.get("mounts");
    fuzz::require(bool(host_mounts) == bool(guest_mounts), "guest_config added or dropped mounts");
    if (!host_mounts || !host_mounts->is_array()) return;
    auto before = host_mounts->elements(), after = guest_mounts->elements();
    fuzz::require(before.size() == after.size(), "guest_config changed the number of mounts");
    for (size_t i = 0; i < before.size(); i++) {
        if (!before[i].is_object()) continue;
        auto src = before[i].get("source");
        if (!src || !src->is_string()) continue;
        auto copy = in.file_sources.find(src->as_string());
        std::string want = copy == in.file_sources.end() ? src->as_string() : copy->second;
        auto got = after[i].get("source");
        fuzz::require(got && got->is_string() && got->as_string() == want, "a mount's source is neither the host's nor the copy of the file the request carried");
    }
}

void rewrite_config(const std::string& payload) {
    v1::CreateContainerRequest req;
    if (!req.ParseFromString(payload)) return;
    // As Container's constructor fills them.
    GuestConfigInputs in{req.id(), "/run/mogu-agent/c/" + req.id() + "/rootfs", {}};
    in.namespace_pid = req.sandbox_id().empty() ? 0 : kSandboxPid;
    in.vm_network = req.vm_network();
    for (int i = 0; i < req.files_size(); i++) in.file_sources[req.files(i).source()] = "/run/mogu-agent/files/" + std::to_string(i);
    if (!req.shm_source().empty()) in.file_sources[req.shm_source()] = "/run/mogu-agent/shm";
    for (const auto& d : req.shared_dirs()) in.file_sources[d.source()] = "/run/mogu-agent/pod/" + d.subpath();
    GuestConfig out;
    try {
        out = guest_config(req.config_json(), in);
    } catch (const Error&) {
        return;  // bad JSON, or not an object: Create fails with this message
    }
    check_guest_config(JsonDoc::parse(req.config_json(), "config.json").root(), out, in);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    fuzz::enter_write_sandbox(*argc, *argv);
    log::configure("/dev/null", log::Format::text, false);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes = fuzz::ttrpc_client_bytes(data, size, {kAgentService, kMethods});

    ttrpc::EventLoop loop;
    ttrpc::Server server(loop);
    AgentService service(loop, server);
    service.on_power_off = [] {};  // the agent powers the guest off here
    fuzz::serve_and_check(loop, server, bytes);

    fuzz::for_each_request(bytes, kAgentService, [](const std::string& method, const std::string& payload) {
        if (method == "CreateContainer") rewrite_config(payload);
    });
    return 0;
}
