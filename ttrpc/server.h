// ttrpc server on an EventLoop. Requests on one connection are dispatched as they arrive; a
// handler may answer at once or keep its Call and answer later (Wait), so calls on one
// connection run concurrently without a thread per call.
#pragma once

#include "common/fd.h"
#include "common/protobuf_c.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/status.h"

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace mogu::ttrpc {

using Metadata = std::vector<std::pair<std::string, std::string>>;
class ServerConnection;

// One request waiting for its answer. Answer exactly once; a Call dropped unanswered answers
// Unavailable so the caller is never left waiting on a live connection.
class Call {
public:
    Call(std::weak_ptr<ServerConnection> conn, uint32_t stream_id, std::string service, std::string method,
         std::string payload, Metadata metadata);
    ~Call();
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

    const std::string& service() const { return service_; }
    const std::string& method() const { return method_; }
    const std::string& payload() const { return payload_; }
    const Metadata& metadata() const { return metadata_; }
    uint32_t stream_id() const { return stream_id_; }
    bool answered() const { return answered_; }
    // False once the client has gone; answering is then a no-op.
    bool connected() const { return !conn_.expired(); }

    // Parses the request payload; garbage throws StatusError(InvalidArgument). M is a protobuf-c
    // struct (the shim's messages, common/protobuf_c.h: gives a pbc::Unpacked<M>) or a C++
    // protobuf class (mogu-vm's Agent service: gives an M).
    template <typename M>
    auto decode() const {
        if constexpr (pbc::descriptor_of<M> != nullptr) {
            auto m = pbc::unpack<M>(payload_);
            if (!m) throw StatusError(Code::invalid_argument, "{}/{}: request payload is not a valid {}", service_, method_,
                                      pbc::type_name<M>());
            return m;
        } else {
            M m;
            if (!m.ParseFromString(payload_))
                throw StatusError(Code::invalid_argument, "{}/{}: request payload is not a valid {}", service_, method_,
                                  m.GetTypeName());
            return m;
        }
    }

    // Answers with a protobuf-c struct or a C++ protobuf message.
    template <typename M>
    void reply(const M& message) {
        if constexpr (pbc::descriptor_of<M> != nullptr) reply_bytes(pbc::pack(message));
        else reply_bytes(message.SerializeAsString());
    }
    void reply_bytes(const std::string& payload);
    void fail(Code code, const std::string& message);

private:
    void send(Code code, const std::string& message, const std::string& payload);
    std::weak_ptr<ServerConnection> conn_;
    uint32_t stream_id_;
    std::string service_, method_, payload_;
    Metadata metadata_;
    bool answered_ = false;
};

using CallPtr = std::shared_ptr<Call>;

class Server {
public:
    using Method = std::function<void(const CallPtr&)>;

    explicit Server(EventLoop& loop) : loop_(loop) {}
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    void register_method(const std::string& service, const std::string& method, Method handler);
    // Accepts connections on a listening socket (takes ownership).
    void listen(UniqueFd listener);
    // Serves one already-connected socket (tests use a socketpair).
    void add_connection(UniqueFd fd);
    size_t connection_count() const { return connections_.size(); }
    // Stops accepting and drops every connection.
    void close();

    // Called with a description of each protocol error (malformed frame, garbage request).
    std::function<void(const std::string&)> on_protocol_error;

private:
    friend class ServerConnection;
    void dispatch(const std::shared_ptr<ServerConnection>& conn, uint32_t stream_id, const std::string& payload);
    void drop(ServerConnection* conn);
    void accept_ready();

    EventLoop& loop_;
    UniqueFd listener_;
    std::map<std::pair<std::string, std::string>, Method> methods_;
    std::set<std::shared_ptr<ServerConnection>> connections_;
};

}  // namespace mogu::ttrpc
