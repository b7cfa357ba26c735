// The keeper's socket: the Agent methods a CLI verb or a pod container's keeper may call (not
// Shutdown), each forwarded on its own thread over the keeper's one control connection and
// answered on the event loop. Long calls (WaitProcess, ReadStream) do not hold up others.
#pragma once

#include "ttrpc/client.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/server.h"

#include <atomic>

namespace mogu::vm {

class KeeperProxy {
public:
    KeeperProxy(ttrpc::EventLoop& loop, ttrpc::Client& agent, UniqueFd listener);
    ~KeeperProxy();
    KeeperProxy(const KeeperProxy&) = delete;
    KeeperProxy& operator=(const KeeperProxy&) = delete;

private:
    ttrpc::EventLoop& loop_;
    ttrpc::Client& agent_;
    ttrpc::Server server_;
};

}  // namespace mogu::vm
