#include "shim/task/publisher.h"

#include "common/log.h"
#include "shim/proto/messages.h"
#include "shim/task/wire_values.h"
#include "ttrpc/client.h"

#include <chrono>

namespace mogu::shim {
namespace {

constexpr int kCallTimeoutMs = 5000;
constexpr int kAttempts = 8;  // ~0.1+0.2+...: about 25 s, long enough for a containerd restart

}  // namespace

Publisher::Publisher(std::string address, std::string ns) : address_(std::move(address)), ns_(std::move(ns)) {
    if (!address_.empty()) thread_ = std::thread([this] { run(); });
}

Publisher::~Publisher() { close(0); }

void Publisher::publish_packed(const std::string& topic, std::string_view type_url, const std::string& value) {
    if (address_.empty()) return;
    pbc::Arena arena;
    auto envelope = pbc::make<pb::events_service::Envelope>();
    envelope.timestamp = wire_timestamp(arena, now_timestamp());
    envelope.namespace_ = arena.str(ns_);
    envelope.topic = arena.str(topic);
    envelope.event = wire_any(arena, type_url, value);
    auto req = pbc::make<pb::events_service::ForwardRequest>();
    req.envelope = &envelope;
    log::debug("event {} {}", topic, type_url);
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(pbc::pack(req));
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
