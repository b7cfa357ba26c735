// mogu.vm.agent.v1.Agent on a ttrpc server: decodes each request and hands it to the container
// it names. The first container created is the VM's own (a pod's sandbox); its end powers the
// VM off. Others join only as its pod's containers (sandbox_id names it).
#pragma once

#include "kvm-launcher/agent/container.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/server.h"

#include <functional>
#include <map>
#include <memory>

namespace mogu::vm::agent {

inline constexpr const char* kAgentService = "mogu.vm.agent.v1.Agent";
inline constexpr const char* kAgentVersion = "0.1.0";

class AgentService {
public:
    AgentService(ttrpc::EventLoop& loop, ttrpc::Server& server);
    // The reaper's report of a child that exited.
    void child_exited(pid_t pid, int wait_status);
    // Asked to power off (Shutdown), or the container has finished.
    std::function<void()> on_power_off;

private:
    Container& container(const std::string& id);
    void create(const v1::CreateContainerRequest& req);
    void remove(const std::string& id);
    void power_off_soon();

    ttrpc::EventLoop& loop_;
    VmShared shared_;
    std::string first_id_;  // the VM's own container
    std::map<std::string, std::unique_ptr<Container>> containers_;
    bool powering_off_ = false;
};

}  // namespace mogu::vm::agent
