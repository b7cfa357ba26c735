#include "ttrpc/server.h"

#include "common/log.h"
#include "ttrpc/frame.h"
#include "ttrpc/socket.h"
#include "ttrpc/wire.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::ttrpc {

// One client connection: reads frames, queues answers, closes on a broken stream.
class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
public:
    ServerConnection(Server& server, UniqueFd fd) : server_(server), fd_(std::move(fd)) {}

    void start() {
        auto weak = weak_from_this();
        server_.loop_.add(fd_.get(), EPOLLIN | EPOLLRDHUP, [weak](uint32_t events) {
            if (auto self = weak.lock()) self->on_events(events);
        });
    }

    void send(const std::string& frame) {
        if (!fd_) return;
        out_ += frame;
        flush();
    }

    void close() {
        if (!fd_) return;
        server_.loop_.remove(fd_.get());
        fd_.reset();
    }

private:
    void on_events(uint32_t events) {
        if (events & EPOLLOUT) flush();
        if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) read_ready();
    }

    void read_ready() {
        char buf[16384];
        for (;;) {
            if (!fd_) return;
            ssize_t n = ::read(fd_.get(), buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            if (n <= 0) {
                if (decoder_.pending() > 0 && server_.on_protocol_error)
                    server_.on_protocol_error("connection closed in the middle of a frame");
                return server_.drop(this);
            }
            decoder_.feed(buf, size_t(n));
            if (!process_frames()) return;
        }
    }

    // False when the connection was dropped.
    bool process_frames() {
        auto self = shared_from_this();
        for (;;) {
            std::optional<Frame> frame;
            try {
                frame = decoder_.next();
            } catch (const FrameError& e) {
                if (server_.on_protocol_error) server_.on_protocol_error(e.what());
                // Tell the caller why, then drop: the rest of the stream cannot be framed.
                out_ += encode_frame(e.stream_id(), FrameType::response,
                                     wire::encode_response(Code::resource_exhausted, e.what(), ""));
                flush_blocking_briefly();
                server_.drop(this);
                return false;
            }
            if (!frame) return true;
            if (frame->header.type != uint8_t(FrameType::request)) {
                if (server_.on_protocol_error)
                    server_.on_protocol_error(fmt::format("unexpected frame type {} on stream {}",
                                                          frame->header.type, frame->header.stream_id));
                server_.drop(this);
                return false;
            }
            server_.dispatch(self, frame->header.stream_id, frame->payload);
            if (!fd_) return false;
        }
    }

    void flush() {
        while (fd_ && !out_.empty()) {
            ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            if (n < 0) {
                out_.clear();
                server_.drop(this);
                return;
            }
            out_.erase(0, size_t(n));
        }
        if (!fd_) return;
        bool want_out = !out_.empty();
        if (want_out != polling_out_) {
            polling_out_ = want_out;
            server_.loop_.modify(fd_.get(), EPOLLIN | EPOLLRDHUP | (want_out ? uint32_t(EPOLLOUT) : 0u));
        }
    }

    // Last words before dropping a connection: one attempt, never blocks the loop.
    void flush_blocking_briefly() {
        if (!fd_ || out_.empty()) return;
        ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)n;
        out_.clear();
    }

    Server& server_;
    UniqueFd fd_;
    FrameDecoder decoder_;
    std::string out_;
    bool polling_out_ = false;
};

Call::Call(std::weak_ptr<ServerConnection> conn, uint32_t stream_id, std::string service, std::string method,
           std::string payload, Metadata metadata)
    : conn_(std::move(conn)), stream_id_(stream_id), service_(std::move(service)), method_(std::move(method)),
      payload_(std::move(payload)), metadata_(std::move(metadata)) {}

Call::~Call() {
    if (!answered_) send(Code::unavailable, fmt::format("{}/{}: call dropped without an answer", service_, method_), "");
}

void Call::reply_bytes(const std::string& payload) { send(Code::ok, "", payload); }

void Call::fail(Code code, const std::string& message) { send(code, message, ""); }

void Call::send(Code code, const std::string& message, const std::string& payload) {
    if (answered_) return;
    answered_ = true;
    auto conn = conn_.lock();
    if (!conn) return;
    std::string body = wire::encode_response(code, message, payload);
    if (body.size() > kMaxPayload)
        body = wire::encode_response(
            Code::resource_exhausted,
            fmt::format("{}/{}: response of {} bytes is over the ttrpc limit", service_, method_, body.size()), "");
    conn->send(encode_frame(stream_id_, FrameType::response, body));
}

Server::~Server() { close(); }

void Server::register_method(const std::string& service, const std::string& method, Method handler) {
    methods_[{service, method}] = std::move(handler);
}

void Server::listen(UniqueFd listener) {
    listener_ = std::move(listener);
    loop_.add(listener_.get(), EPOLLIN, [this](uint32_t) { accept_ready(); });
}

void Server::accept_ready() {
    for (;;) {
        int fd = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return;  // EAGAIN, or out of fds: try again on the next readiness
        }
        UniqueFd conn(fd);
        uid_t uid = 0;
        if (!peer_is_trusted(conn.get(), &uid)) {
            log::warn("ttrpc: refused a connection from uid {}: only uid {} and root may call this server", uid, geteuid());
            continue;
        }
        add_connection(std::move(conn));
    }
}

void Server::add_connection(UniqueFd fd) {
    int flags = fcntl(fd.get(), F_GETFL);
    if (flags >= 0) fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
    auto conn = std::make_shared<ServerConnection>(*this, std::move(fd));
    connections_.insert(conn);
    conn->start();
}

void Server::drop(ServerConnection* conn) {
    for (auto it = connections_.begin(); it != connections_.end(); ++it) {
        if (it->get() != conn) continue;
        auto keep = *it;  // the connection may be running the caller's frame
        connections_.erase(it);
        keep->close();
        loop_.post([keep] {});  // released after the current handler returns
        return;
    }
}

void Server::close() {
    if (listener_) {
        loop_.remove(listener_.get());
        listener_.reset();
    }
    for (auto& c : connections_) c->close();
    connections_.clear();
}

void Server::dispatch(const std::shared_ptr<ServerConnection>& conn, uint32_t stream_id, const std::string& payload) {
    pbc::Unpacked<wire::Request> req;
    std::string service, method;
    auto answer_error = [&](Code code, const std::string& msg) {
        if (on_protocol_error) on_protocol_error(msg);
        Call call(conn, stream_id, service, method, "", {});
        call.fail(code, msg);
    };
    if (stream_id % 2 != 1) return answer_error(Code::invalid_argument, fmt::format("stream id {} is not odd: clients use odd ids", stream_id));
    req = pbc::unpack<wire::Request>(payload);
    if (!req)
        return answer_error(Code::invalid_argument, fmt::format("stream {}: the request is not a valid ttrpc Request", stream_id));
    service = pbc::str(req->service);
    method = pbc::str(req->method);
    auto it = methods_.find({service, method});
    if (it == methods_.end()) {
        bool service_known = false;
        for (auto& [key, _] : methods_) service_known |= key.first == service;
        return answer_error(Code::unimplemented, service_known
                                                     ? fmt::format("{}: method {} is not implemented", service, method)
                                                     : fmt::format("service {} is not registered", service));
    }
    Metadata md;
    for (size_t i = 0; i < req->n_metadata; i++)
        md.emplace_back(pbc::str(req->metadata[i]->key), pbc::str(req->metadata[i]->value));
    auto call = std::make_shared<Call>(conn, stream_id, std::move(service), std::move(method),
                                       std::string(pbc::bytes(req->payload)), std::move(md));
    req.reset();
    try {
        it->second(call);
    } catch (const StatusError& e) {
        call->fail(e.code(), e.what());
    } catch (const std::exception& e) {
        call->fail(Code::unknown, e.what());
    }
}

}  // namespace mogu::ttrpc
