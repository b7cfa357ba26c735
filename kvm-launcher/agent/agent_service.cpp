#include "kvm-launcher/agent/agent_service.h"

#include "common/log.h"
#include "kvm-launcher/agent/guest_boot.h"
#include "ttrpc/status.h"

namespace mogu::vm::agent {
namespace {

using ttrpc::CallPtr;
using ttrpc::Code;
using ttrpc::StatusError;

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
        auto req = c->decode<v1::CreateContainerRequest>();
        if (container_) throw StatusError(Code::already_exists, "this VM already holds container {}", container_->id());
        container_ = std::make_unique<Container>(loop_, req);
        container_->on_finished = [this] { power_off_soon(); };
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
    on("Shutdown", [this](const CallPtr& c) {
        c->reply(v1::Empty());
        power_off_soon();
    });
}

Container& AgentService::container(const std::string& id) {
    if (!container_ || container_->id() != id) throw StatusError(Code::not_found, "container {} does not exist in this VM", id);
    return *container_;
}

void AgentService::power_off_soon() {
    if (powering_off_) return;
    powering_off_ = true;
    log::debug("powering off");
    if (on_power_off) on_power_off();
}

}  // namespace mogu::vm::agent
