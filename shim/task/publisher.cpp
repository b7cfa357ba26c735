#include "shim/task/publisher.h"

#include "common/log.h"
#include "shim/proto/events_service.pb.h"
#include "ttrpc/client.h"

#include <time.h>

#include <chrono>

namespace mogu::shim {
namespace {

constexpr int kCallTimeoutMs = 5000;
constexpr int kAttempts = 8;  // ~0.1+0.2+...: about 25 s, long enough for a containerd restart

}  // namespace

mogu::wkt::Timestamp now_timestamp() {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    mogu::wkt::Timestamp t;
    t.set_seconds(ts.tv_sec);
    t.set_nanos(int32_t(ts.tv_nsec));
    return t;
}

Publisher::Publisher(std::string address, std::string ns) : address_(std::move(address)), ns_(std::move(ns)) {
    if (!address_.empty()) thread_ = std::thread([this] { run(); });
}

Publisher::~Publisher() { close(0); }

void Publisher::publish(const std::string& topic, const google::protobuf::MessageLite& event) {
    if (address_.empty()) return;
    containerd::services::events::ttrpc::v1::ForwardRequest req;
    auto* env = req.mutable_envelope();
    *env->mutable_timestamp() = now_timestamp();
    env->set_namespace_(ns_);
    env->set_topic(topic);
    env->mutable_event()->set_type_url(event.GetTypeName());
    env->mutable_event()->set_value(event.SerializeAsString());
    log::debug("event {} {}", topic, event.GetTypeName());
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(req.SerializeAsString());
    cv_.notify_all();
}

void Publisher::close(int timeout_ms) {
    if (!thread_.joinable()) return;
    {
        std::unique_lock<std::mutex> lock(mu_);
        closing_ = true;
        cv_.notify_all();
        cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return queue_.empty(); });
        stopped_ = true;
        cv_.notify_all();
    }
    thread_.join();
}

void Publisher::run() {
    std::unique_ptr<ttrpc::Client> client;
    for (;;) {
        std::string next;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [&] { return stopped_ || !queue_.empty(); });
            if (stopped_) return;
            next = queue_.front();
        }
        bool sent = false;
        for (int attempt = 0; attempt < kAttempts && !sent; attempt++) {
            if (attempt > 0) {
                std::unique_lock<std::mutex> lock(mu_);
                if (cv_.wait_for(lock, std::chrono::milliseconds(100 << (attempt - 1)), [&] { return stopped_; }))
                    return;
            }
            try {
                if (!client || client->closed()) client = ttrpc::Client::connect(address_);
                auto r = client->call("containerd.services.events.ttrpc.v1.Events", "Forward", next, kCallTimeoutMs);
                if (r.status.ok()) {
                    sent = true;
                } else if (r.status.code == ttrpc::Code::unavailable || r.status.code == ttrpc::Code::deadline_exceeded) {
                    client.reset();
                } else {
                    log::warn("containerd refused an event: {}", r.status.message);
                    sent = true;  // retrying would not change its mind
                }
            } catch (const std::exception& e) {
                client.reset();
                if (attempt == kAttempts - 1) log::warn("publish event to {}: {}", address_, e.what());
            }
        }
        if (!sent) log::error("dropped an event after {} attempts to reach {}", kAttempts, address_);
        std::lock_guard<std::mutex> lock(mu_);
        queue_.pop_front();
        cv_.notify_all();
    }
}

}  // namespace mogu::shim
