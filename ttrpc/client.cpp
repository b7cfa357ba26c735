#include "ttrpc/client.h"

#include "ttrpc/frame.h"
#include "ttrpc/socket.h"
#include "ttrpc/wire.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>

namespace mogu::ttrpc {

Client::Client(UniqueFd fd) : fd_(std::move(fd)) { reader_ = std::thread([this] { read_loop(); }); }

Client::~Client() {
    close();
    if (reader_.joinable()) reader_.join();
}

std::unique_ptr<Client> Client::connect(const std::string& address) {
    return std::make_unique<Client>(connect_unix(address));
}

bool Client::closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
}

void Client::close() {
    // shutdown() wakes the reader; the fd itself is closed when the Client goes.
    if (fd_) ::shutdown(fd_.get(), SHUT_RDWR);
}

void Client::fail_all(const std::string& why) {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    for (auto& [id, p] : pending_) {
        p->done = true;
        p->result.status = {Code::unavailable, why};
    }
    pending_.clear();
    cv_.notify_all();
}

void Client::read_loop() {
    FrameDecoder decoder;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail_all("ttrpc: connection closed");
        decoder.feed(buf, size_t(n));
        try {
            while (auto frame = decoder.next()) {
                if (frame->header.type != uint8_t(FrameType::response)) continue;
                Result result;
                if (auto resp = pbc::unpack<wire::Response>(frame->payload); !resp) {
                    result.status = {Code::internal, "ttrpc: the server sent an unparsable Response"};
                } else {
                    if (resp->status)
                        result.status = {Code(resp->status->code), std::string(pbc::str(resp->status->message))};
                    result.payload = pbc::bytes(resp->payload);
                }
                std::lock_guard<std::mutex> lock(mu_);
                auto it = pending_.find(frame->header.stream_id);
                if (it == pending_.end()) continue;  // the caller timed out
                it->second->done = true;
                it->second->result = std::move(result);
                pending_.erase(it);
                cv_.notify_all();
            }
        } catch (const FrameError& e) {
            ::shutdown(fd_.get(), SHUT_RDWR);
            return fail_all(std::string("ttrpc: ") + e.what());
        }
    }
}

Client::Result Client::call(const std::string& service, const std::string& method, const std::string& payload,
                            int timeout_ms, const Metadata& metadata) {
    std::string body = wire::encode_request(service, method, payload, timeout_ms, metadata);
    if (body.size() > kMaxPayload)
        return {{Code::resource_exhausted, fmt::format("{}/{}: request of {} bytes is over the ttrpc limit", service, method, body.size())}, ""};

    Pending pending;
    uint32_t id;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (closed_) return {{Code::unavailable, "ttrpc: connection closed"}, ""};
        id = next_id_;
        next_id_ += 2;
        pending_[id] = &pending;
    }
    std::string frame = encode_frame(id, FrameType::request, body);
    {
        std::lock_guard<std::mutex> lock(write_mu_);
        size_t off = 0;
        while (off < frame.size()) {
            ssize_t n = ::send(fd_.get(), frame.data() + off, frame.size() - off, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                int err = errno;
                std::lock_guard<std::mutex> lock2(mu_);
                pending_.erase(id);
                return {{Code::unavailable, fmt::format("ttrpc: send {}/{}: {}", service, method, strerror(err))}, ""};
            }
            off += size_t(n);
        }
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (timeout_ms > 0) {
        if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return pending.done; })) {
            pending_.erase(id);
            return {{Code::deadline_exceeded, fmt::format("{}/{}: no answer within {} ms", service, method, timeout_ms)}, ""};
        }
    } else {
        cv_.wait(lock, [&] { return pending.done; });
    }
    return std::move(pending.result);
}

}  // namespace mogu::ttrpc
