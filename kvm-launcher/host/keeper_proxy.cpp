#include "kvm-launcher/host/keeper_proxy.h"

#include "kvm-launcher/host/agent_client.h"

#include <thread>

namespace mogu::vm {

KeeperProxy::KeeperProxy(ttrpc::EventLoop& loop, ttrpc::Client& agent, UniqueFd listener)
    : loop_(loop), agent_(agent), server_(loop) {
    static const char* const kForwarded[] = {"Ping", "StartContainer", "State", "ExecProcess", "SignalProcess",
                                             "WaitProcess", "ReadStream", "WriteStdin", "CloseStdin", "ResizePty",
                                             "Pause", "Resume", "Pids", "Update", "Stats",
                                             // a pod's other containers, made by their own keepers
                                             "CreateContainer", "RemoveContainer"};
    for (const char* method : kForwarded) {
        server_.register_method(kAgentService, method, [this](const ttrpc::CallPtr& call) {
            // The thread holds the call; the answer goes back through the loop, which owns the connection.
            std::thread([this, call] {
                auto r = agent_.call(call->service(), call->method(), call->payload());
                loop_.post([call, r = std::move(r)] {
                    if (r.status.ok()) call->reply_bytes(r.payload);
                    else call->fail(r.status.code, r.status.message);
                });
            }).detach();
        });
    }
    server_.listen(std::move(listener));
}

KeeperProxy::~KeeperProxy() { server_.close(); }

}  // namespace mogu::vm
