#include "kvm-launcher/agent/agent_service.h"

#include "common/log.h"
#include "kvm-launcher/agent/guest_boot.h"
#include "kvm-launcher/agent/guest_network.h"
#include "ttrpc/status.h"

namespace mogu::vm::agent {
namespace {

using ttrpc::CallPtr;
using ttrpc::Code;
using ttrpc::StatusError;

constexpr int kNicTimeoutMs = 5000;

}  // namespace

AgentService::AgentService(ttrpc::EventLoop& loop, ttrpc::Server& server) : loop_(loop) {
    auto on = [&](const char* method, std::function<void(const CallPtr&)> fn) {
        server.register_method(kAgentService, method, std::move(fn));
    };
    on("Ping", [](const CallPtr& c) {
        v1::PingResponse r;
        r.set_kernel_release(kernel_release());
        r.set_agent_version(kAgentVersion);
        r.set_uptime_ms(uptime_ms());
        c->reply(r);
    });
    on("CreateContainer", [this](const CallPtr& c) {
        create(c->decode<v1::CreateContainerRequest>());
        c->reply(v1::Empty());
    });
    on("StartContainer", [this](const CallPtr& c) {
        container(c->decode<v1::ContainerRequest>().id()).start();
        c->reply(v1::Empty());
    });
    on("State", [this](const CallPtr& c) { c->reply(container(c->decode<v1::ContainerRequest>().id()).state()); });
    on("ExecProcess", [this](const CallPtr& c) {
        auto req = c->decode<v1::ExecProcessRequest>();
        container(req.id()).exec(req.exec_id(), req.process_json());
        c->reply(v1::Empty());
    });
    on("SignalProcess", [this](const CallPtr& c) {
        auto req = c->decode<v1::SignalRequest>();
        container(req.id()).signal(req.exec_id(), int(req.signal()), req.all());
        c->reply(v1::Empty());
    });
    on("WaitProcess", [this](const CallPtr& c) {
        auto req = c->decode<v1::ProcessRequest>();
        container(req.id()).wait(req.exec_id(), c);
    });
    on("ReadStream", [this](const CallPtr& c) {
        auto req = c->decode<v1::ReadStreamRequest>();
        container(req.id()).read(req.exec_id(), req.stream(), c);
    });
    on("WriteStdin", [this](const CallPtr& c) {
        auto req = c->decode<v1::WriteStdinRequest>();
        container(req.id()).write_stdin(req.exec_id(), c, std::move(*req.mutable_data()));
    });
    on("CloseStdin", [this](const CallPtr& c) {
        auto req = c->decode<v1::ProcessRequest>();
        container(req.id()).close_stdin(req.exec_id());
        c->reply(v1::Empty());
    });
    on("ResizePty", [this](const CallPtr& c) {
        auto req = c->decode<v1::ResizeRequest>();
        container(req.id()).resize(req.exec_id(), req.width(), req.height());
        c->reply(v1::Empty());
    });
    on("Pause", [this](const CallPtr& c) {
        container(c->decode<v1::ContainerRequest>().id()).pause();
        c->reply(v1::Empty());
    });
    on("Resume", [this](const CallPtr& c) {
        container(c->decode<v1::ContainerRequest>().id()).resume();
        c->reply(v1::Empty());
    });
    on("Pids", [this](const CallPtr& c) {
        v1::PidsResponse r;
        for (pid_t p : container(c->decode<v1::ContainerRequest>().id()).pids()) r.add_pids(p);
        c->reply(r);
    });
    on("Update", [this](const CallPtr& c) {
        auto req = c->decode<v1::UpdateRequest>();
        container(req.id()).update(req.resources_json());
        c->reply(v1::Empty());
    });
    on("Stats", [this](const CallPtr& c) {
        v1::StatsResponse r;
        r.set_stats_json(container(c->decode<v1::ContainerRequest>().id()).stats_json());
        c->reply(r);
    });
    on("RemoveContainer", [this](const CallPtr& c) {
        remove(c->decode<v1::ContainerRequest>().id());
        c->reply(v1::Empty());
    });
    on("Shutdown", [this](const CallPtr& c) {
        c->reply(v1::Empty());
        power_off_soon();
    });
}

void AgentService::create(const v1::CreateContainerRequest& req) {
    if (powering_off_) throw StatusError(Code::failed_precondition, "this VM is powering off");
    if (containers_.count(req.id())) throw StatusError(Code::already_exists, "container {} already exists in this VM", req.id());
    pid_t namespace_pid = 0;
    if (first_id_.empty()) {
        if (!req.sandbox_id().empty())
            throw StatusError(Code::failed_precondition, "pod sandbox {} is not in this VM", req.sandbox_id());
    } else {
        if (req.sandbox_id().empty())
            throw StatusError(Code::already_exists, "this VM already holds container {}", first_id_);
        if (req.sandbox_id() != first_id_)
            throw StatusError(Code::failed_precondition, "this VM holds pod sandbox {}, not {}", first_id_, req.sandbox_id());
        Container& sandbox = *containers_.at(first_id_);
        if (sandbox.init_exited())
            throw StatusError(Code::failed_precondition, "pod sandbox {} has stopped", first_id_);
        namespace_pid = sandbox.init_pid();
    }
    if (req.has_network()) configure_pod_network(req.network(), kNicTimeoutMs);
    auto c = std::make_unique<Container>(loop_, shared_, req, namespace_pid);
    if (first_id_.empty()) {
        first_id_ = req.id();
        c->on_finished = [this] { power_off_soon(); };
    }
    containers_[req.id()] = std::move(c);
}

void AgentService::remove(const std::string& id) {
    if (id == first_id_)
        throw StatusError(Code::failed_precondition, "container {} is this VM's own: it ends with the VM", id);
    container(id).destroy();
    containers_.erase(id);
}

void AgentService::child_exited(pid_t pid, int wait_status) {
    for (auto& [_, c] : containers_)
        if (c->child_exited(pid, wait_status)) return;
    shared_.early_exit(pid, wait_status);
}

Container& AgentService::container(const std::string& id) {
    auto it = containers_.find(id);
    if (it == containers_.end()) throw StatusError(Code::not_found, "container {} does not exist in this VM", id);
    return *it->second;
}

void AgentService::power_off_soon() {
    if (powering_off_) return;
    powering_off_ = true;
    log::debug("powering off");
    if (on_power_off) on_power_off();
}

}  // namespace mogu::vm::agent
