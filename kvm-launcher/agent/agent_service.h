// mogu.vm.agent.v1.Agent on a ttrpc server: decodes each request and hands it to the container.
#pragma once

#include "kvm-launcher/agent/container.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/server.h"

#include <functional>
#include <memory>

namespace mogu::vm::agent {

inline constexpr const char* kAgentService = "mogu.vm.agent.v1.Agent";
inline constexpr const char* kAgentVersion = "0.1.0";

class AgentService {
public:
    AgentService(ttrpc::EventLoop& loop, ttrpc::Server& server);
    // The reaper's report of a child that exited.
    void child_exited(pid_t pid, int wait_status) {
        if (container_) container_->child_exited(pid, wait_status);
    }
    // Asked to power off (Shutdown), or the container has finished.
    std::function<void()> on_power_off;

private:
    Container& container(const std::string& id);
    void power_off_soon();

    ttrpc::EventLoop& loop_;
    std::unique_ptr<Container> container_;
    bool powering_off_ = false;
};

}  // namespace mogu::vm::agent
