// Typed calls of the Agent service over a ttrpc connection (to the agent itself through the
// control port, or to a keeper that forwards them). Non-OK answers throw StatusError.
#pragma once

#include "kvm-launcher/proto/agent.pb.h"
#include "ttrpc/client.h"

#include <memory>
#include <string>

namespace mogu::vm {

inline constexpr const char* kAgentService = "mogu.vm.agent.v1.Agent";

class AgentClient {
public:
    explicit AgentClient(std::unique_ptr<ttrpc::Client> c) : c_(std::move(c)) {}
    // Connects to a keeper's socket; errors name the container.
    static AgentClient connect(const std::string& socket, const std::string& id);

    template <typename Resp>
    Resp call(const char* method, const google::protobuf::MessageLite& req, int timeout_ms = 0) {
        return c_->call<Resp>(kAgentService, method, req, timeout_ms);
    }
    ttrpc::Client& raw() { return *c_; }

private:
    std::unique_ptr<ttrpc::Client> c_;
};

// Request builders.
agent::v1::ContainerRequest container_request(const std::string& id);
agent::v1::ProcessRequest process_request(const std::string& id, const std::string& exec_id);

}  // namespace mogu::vm
