// The verbs on an existing VM container: start, state, list, kill, delete, ps, pause, resume, update.
#include "kvm-launcher/sandbox.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/log.h"
#include "common/vm_annotations.h"
#include "kvm-launcher/host/host_cgroup.h"
#include "kvm-launcher/host/vm_options.h"
#include "kvm-launcher/sandbox_detail.h"
#include "runtime/proc_info.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <optional>
#include <random>

namespace mogu::vm {

namespace v1 = agent::v1;

namespace detail {

bool keeper_alive(const VmState& st) { return st.pid > 0 && runtime::process_alive(st.pid, st.pid_start); }

AgentClient connect_keeper(const VmDir& dir, const VmState& st) {
    if (!keeper_alive(st)) throw Error("container {} is not running", st.id);
    return AgentClient::connect(dir.file(VmDir::kSocket), st.id);
}

void kill_process(pid_t pid, uint64_t start) {
    if (pid <= 0 || !runtime::process_alive(pid, start)) return;
    ::kill(pid, SIGKILL);
    // Not our child: wait on a pidfd (readable once it has exited, zombie or not), else poll.
    UniqueFd pidfd(int(syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd) {
        pollfd p{pidfd.get(), POLLIN, 0};
        ::poll(&p, 1, 5000);
        return;
    }
    for (int waited = 0; waited < 5000 && runtime::process_alive(pid, start); waited += 10) usleep(10000);
}

void write_pid_file(const std::string& path, pid_t pid) {
    if (path.empty()) return;
    write_file_atomic(path, std::to_string(pid), 0644);
}

std::string random_suffix() {
    std::random_device rd;
    return fmt::format("{:08x}", rd());
}

}  // namespace detail

using namespace detail;

void start(const Context& ctx, const std::string& id) {
    VmDir dir = VmDir::open(ctx.root, id);
    VmState st = dir.read_state();
    AgentClient c = connect_keeper(dir, st);
    c.call<v1::Empty>("StartContainer", container_request(id), kCallTimeoutMs);
}

ContainerInfo query(const Context& ctx, const std::string& id) {
    VmDir dir = VmDir::open(ctx.root, id, false);
    VmState st = dir.read_state();
    ContainerInfo c;
    c.id = st.id;
    c.bundle = st.bundle;
    c.rootfs = st.rootfs;
    c.created = st.created;
    c.annotations = st.annotations;
    c.annotations[kAccelAnnotation] = st.accel;
    c.annotations[kMachineAnnotation] = st.machine;
    c.annotations["io.mogu.vm.kernel-release"] = st.kernel;
    c.annotations[kVcpusAnnotation] = std::to_string(st.vcpus);
    c.annotations[kMemoryAnnotation] = std::to_string(st.memory_mib);
    c.annotations[kRootfsAnnotation] = st.rootfs_mode;
    c.status = "stopped";
    if (keeper_alive(st)) {
        c.pid = st.pid;
        std::optional<AgentClient> client;
        try {
            client.emplace(AgentClient::connect(dir.file(VmDir::kSocket), id));
        } catch (const std::exception&) {
            // No socket: the keeper is winding down after the VM went off.
        }
        if (client) {
            try {
                auto r = client->call<v1::StateResponse>("State", container_request(id), kQuickTimeoutMs);
                c.status = r.status();
                if (c.status == "stopped") c.exit_code = r.exit_code();
            } catch (const ttrpc::StatusError& e) {
                // Unavailable: the VM is gone and the keeper is winding down. Anything else: the
                // keeper lives but the guest does not answer; still running, as far as anyone knows.
                c.status = e.code() == ttrpc::Code::unavailable ? "stopped" : "running";
                if (c.status == "running") log::warn("{}: the guest does not answer State: {}", id, e.what());
            }
        }
    }
    if (c.status == "stopped") {
        if (auto e = dir.read_exit()) {
            c.exit_code = e->exit_code;
            c.error = e->error;
            if (e->oom_killed) c.annotations[kOomKilledAnnotation] = "true";
        }
    }
    return c;
}

std::vector<ContainerInfo> list(const Context& ctx) {
    std::vector<ContainerInfo> out;
    for (auto& id : VmDir::list(ctx.root)) {
        try {
            out.push_back(query(ctx, id));
        } catch (const std::exception& e) {
            log::warn("{}: {}", id, e.what());
        }
    }
    return out;
}

std::string state_json(const ContainerInfo& c) {
    JsonWriter w(true);
    w.begin_object()
        .kv("ociVersion", "1.0.2")
        .kv("id", c.id)
        .kv("pid", int64_t(c.pid))
        .kv("status", c.status)
        .kv("bundle", c.bundle)
        .kv("rootfs", c.rootfs)
        .kv("created", c.created)
        .kv("owner", "");
    w.key("annotations").begin_object();
    for (auto& [k, v] : c.annotations) w.kv(k, v);
    w.end_object().end_object();
    return w.str();
}

void kill(const Context& ctx, const std::string& id, int signal, bool all) {
    VmDir dir = VmDir::open(ctx.root, id, false);
    VmState st = dir.read_state();
    AgentClient c = connect_keeper(dir, st);
    v1::SignalRequest req;
    req.set_id(id);
    req.set_signal(uint32_t(signal));
    req.set_all(all);
    try {
        c.call<v1::Empty>("SignalProcess", req, kQuickTimeoutMs);
    } catch (const ttrpc::StatusError& e) {
        if (signal != SIGKILL || e.code() == ttrpc::Code::not_found || e.code() == ttrpc::Code::failed_precondition) {
            if (e.code() == ttrpc::Code::not_found) throw Error("container {} is not running", id);
            throw;
        }
        // An agent that does not answer a SIGKILL gets its VM pulled instead.
        log::warn("{}: the agent did not take SIGKILL ({}); killing the VM", id, e.what());
        kill_process(st.pid, st.pid_start);
    }
}

void remove(const Context& ctx, const std::string& id, bool force) {
    VmDir dir = VmDir::open(ctx.root, id);
    VmState st = dir.read_state();
    if (keeper_alive(st)) {
        std::string status = query(ctx, id).status;
        if ((status == "running" || status == "paused") && !force)
            throw Error("cannot delete container {} that is not stopped: {}", id, status);
        kill_process(st.pid, st.pid_start);
    }
    kill_process(st.qemu_pid, st.qemu_start);  // normally gone with the keeper (PR_SET_PDEATHSIG)
    if (!st.image.empty()) ::unlink(st.image.c_str());
    if (!st.sandbox.empty()) remove_pod_member(ctx, st);
    else remove_pod_share(st);  // a pod's sandbox: its containers' binds, if they were not deleted first
    remove_host_cgroup(st.cgroup);
    dir.remove();
}

std::vector<pid_t> pids(const Context& ctx, const std::string& id) {
    VmDir dir = VmDir::open(ctx.root, id, false);
    VmState st = dir.read_state();
    if (!keeper_alive(st)) return {};
    AgentClient c = connect_keeper(dir, st);
    auto r = c.call<v1::PidsResponse>("Pids", container_request(id), kQuickTimeoutMs);
    return std::vector<pid_t>(r.pids().begin(), r.pids().end());
}

void pause(const Context& ctx, const std::string& id) {
    VmDir dir = VmDir::open(ctx.root, id);
    VmState st = dir.read_state();
    connect_keeper(dir, st).call<v1::Empty>("Pause", container_request(id), kQuickTimeoutMs);
}

void resume(const Context& ctx, const std::string& id) {
    VmDir dir = VmDir::open(ctx.root, id);
    VmState st = dir.read_state();
    connect_keeper(dir, st).call<v1::Empty>("Resume", container_request(id), kQuickTimeoutMs);
}

void update(const Context& ctx, const std::string& id, const std::string& resources_json) {
    VmDir dir = VmDir::open(ctx.root, id);
    VmState st = dir.read_state();
    v1::UpdateRequest req;
    req.set_id(id);
    req.set_resources_json(resources_json);
    connect_keeper(dir, st).call<v1::Empty>("Update", req, kQuickTimeoutMs);
}

std::string stats_json(const Context& ctx, const std::string& id) {
    VmDir dir = VmDir::open(ctx.root, id, false);
    VmState st = dir.read_state();
    return connect_keeper(dir, st).call<v1::StatsResponse>("Stats", container_request(id), kQuickTimeoutMs).stats_json();
}

}  // namespace mogu::vm
