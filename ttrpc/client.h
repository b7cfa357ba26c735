// ttrpc client: one connection, any number of concurrent calls from any threads. Stream ids
// are odd and increase; a reader thread matches responses to waiting callers.
#pragma once

#include "common/fd.h"
#include "ttrpc/server.h"
#include "ttrpc/status.h"

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace mogu::ttrpc {

class Client {
public:
    struct Result {
        Status status;
        std::string payload;
    };

    explicit Client(UniqueFd fd);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    static std::unique_ptr<Client> connect(const std::string& address);

    // timeout_ms 0 waits forever; on expiry the result is DeadlineExceeded. A closed connection
    // answers Unavailable.
    Result call(const std::string& service, const std::string& method, const std::string& payload,
                int timeout_ms = 0, const Metadata& metadata = {});

    // Typed call with protobuf-c structs (the answer as a pbc::Unpacked<Resp>) or C++ protobuf
    // messages: non-OK statuses throw StatusError; an unparsable answer throws too.
    template <typename Resp, typename Req>
    auto call(const std::string& service, const std::string& method, const Req& req, int timeout_ms = 0,
              const Metadata& metadata = {}) {
        std::string payload;
        if constexpr (pbc::descriptor_of<Req> != nullptr) payload = pbc::pack(req);
        else payload = req.SerializeAsString();
        Result r = call(service, method, payload, timeout_ms, metadata);
        if (!r.status.ok()) throw StatusError(r.status.code, "{}", r.status.message);
        if constexpr (pbc::descriptor_of<Resp> != nullptr) {
            auto resp = pbc::unpack<Resp>(r.payload);
            if (!resp)
                throw StatusError(Code::internal, "{}/{}: the answer is not a valid {}", service, method, pbc::type_name<Resp>());
            return resp;
        } else {
            Resp resp;
            if (!resp.ParseFromString(r.payload))
                throw StatusError(Code::internal, "{}/{}: the answer is not a valid {}", service, method, resp.GetTypeName());
            return resp;
        }
    }

    bool closed() const;
    void close();

private:
    struct Pending {
        bool done = false;
        Result result;
    };
    void read_loop();
    void fail_all(const std::string& why);

    UniqueFd fd_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::map<uint32_t, Pending*> pending_;
    uint32_t next_id_ = 1;
    bool closed_ = false;
    std::mutex write_mu_;
    std::thread reader_;
};

}  // namespace mogu::ttrpc
