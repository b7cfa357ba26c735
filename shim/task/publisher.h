// Publishes events to containerd (Events/Forward on $TTRPC_ADDRESS) from one thread, in the order
// they were queued. A lost connection (containerd restarting) is redialled and the event retried
// for a while before it is dropped with a log line.
#pragma once

#include "common/protobuf_c.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace mogu::shim {

class Publisher {
public:
    // address empty: events are dropped (a shim run by hand, or tests).
    Publisher(std::string address, std::string ns);
    ~Publisher();
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;

    // topic "/tasks/create"; the event is one of shim/proto/messages.h's events (pb::events), its
    // Any type URL its full protobuf name.
    template <typename Event>
    void publish(const std::string& topic, const Event& event) {
        publish_packed(topic, pbc::type_name<Event>(), pbc::pack(event));
    }
    void publish_packed(const std::string& topic, std::string_view type_url, const std::string& value);
    // Waits until the queue is empty or timeout_ms passed, then stops the thread.
    void close(int timeout_ms);

private:
    void run();
    bool send_one(const std::string& envelope);

    std::string address_, ns_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> queue_;  // serialized ForwardRequests
    bool closing_ = false, stopped_ = false;
    std::thread thread_;
};

}  // namespace mogu::shim
