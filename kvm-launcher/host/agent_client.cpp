#include "kvm-launcher/host/agent_client.h"

#include "common/error.h"
#include "ttrpc/socket.h"

namespace mogu::vm {

AgentClient AgentClient::connect(const std::string& socket, const std::string& id) {
    try {
        return AgentClient(std::make_unique<ttrpc::Client>(ttrpc::connect_unix(socket)));
    } catch (const std::exception& e) {
        throw Error("container {} is not running (its VM keeper does not answer: {})", id, e.what());
    }
}

agent::v1::ContainerRequest container_request(const std::string& id) {
    agent::v1::ContainerRequest r;
    r.set_id(id);
    return r;
}

agent::v1::ProcessRequest process_request(const std::string& id, const std::string& exec_id) {
    agent::v1::ProcessRequest r;
    r.set_id(id);
    r.set_exec_id(exec_id);
    return r;
}

}  // namespace mogu::vm
