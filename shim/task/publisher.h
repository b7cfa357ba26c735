// Publishes events to containerd (Events/Forward on $TTRPC_ADDRESS) from one thread, in the order
// they were queued. A lost connection (containerd restarting) is redialled and the event retried
// for a while before it is dropped with a log line.
#pragma once

#include "shim/proto/wkt.pb.h"

#include <google/protobuf/message_lite.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace mogu::shim {

class Publisher {
public:
    // address empty: events are dropped (a shim run by hand, or tests).
    Publisher(std::string address, std::string ns);
    ~Publisher();
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;

    // topic "/tasks/create"; the event's Any type URL is its full protobuf name.
    void publish(const std::string& topic, const google::protobuf::MessageLite& event);
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

mogu::wkt::Timestamp now_timestamp();

}  // namespace mogu::shim
