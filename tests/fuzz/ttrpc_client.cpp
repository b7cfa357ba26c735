#include "tests/fuzz/ttrpc_client.h"

#include "common/fd.h"
#include "tests/fuzz/fuzz_support.h"
#include "ttrpc/frame.h"
#include "ttrpc/ttrpc.pb.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

namespace mogu::fuzz {
namespace {

std::string frame_call(const uint8_t*& p, const uint8_t* end, const TtrpcService& service) {
    if (end - p < 6) {
        p = end;
        return {};
    }
    uint8_t method = p[0], stream = p[1], type = p[2], flags = p[3];
    size_t len = p[4] | (size_t(p[5]) << 8);
    p += 6;
    len = std::min<size_t>(len, end - p);
    ttrpc::wire::Request req;
    if (method < service.methods.size()) {
        req.set_service(service.name);
        req.set_method(service.methods[method]);
    } else if (method % 2) {
        req.set_service(service.name);
        req.set_method("NoSuchMethod");
    } else {
        req.set_service("containerd.no.Such");
        req.set_method(service.methods.empty() ? "State" : service.methods[0]);
    }
    req.set_payload(std::string(reinterpret_cast<const char*>(p), len));
    p += len;
    // Mostly requests on odd stream ids, as a client sends them; the rest as the bytes say.
    auto frame_type = type < 200 ? ttrpc::FrameType::request : static_cast<ttrpc::FrameType>(type % 5);
    return ttrpc::encode_frame(stream < 200 ? 2u * stream + 1 : stream, frame_type, req.SerializeAsString(), flags);
}

// How many frames each stream id got from the client, counting a header the server refuses as
// oversized (it answers that one too): no stream may be answered more often than that.
std::map<uint32_t, int> frames_per_stream(const std::string& bytes) {
    std::map<uint32_t, int> sent;
    ttrpc::FrameDecoder decoder(ttrpc::kMaxPayload);
    decoder.feed(bytes.data(), bytes.size());
    try {
        while (auto frame = decoder.next()) ++sent[frame->header.stream_id];
    } catch (const ttrpc::FrameError& e) {
        ++sent[e.stream_id()];
    }
    return sent;
}

// Reads what the server sent so far and checks each complete frame.
void read_answers(int fd, ttrpc::FrameDecoder& decoder, std::map<uint32_t, int>& answered,
                  const std::map<uint32_t, int>& sent) {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) decoder.feed(buf, size_t(n));
    while (auto frame = decoder.next()) {
        require(frame->header.type == uint8_t(ttrpc::FrameType::response), "the server sent a frame that is not a response");
        ttrpc::wire::Response resp;
        require(resp.ParseFromString(frame->payload), "a response frame does not hold a ttrpc Response");
        auto it = sent.find(frame->header.stream_id);
        require(++answered[frame->header.stream_id] <= (it == sent.end() ? 0 : it->second),
                "a stream was answered more often than the client sent on it");
    }
}

}  // namespace

std::string ttrpc_client_bytes(const uint8_t* data, size_t size, const TtrpcService& service) {
    if (size == 0) return {};
    if (data[0] % 2 == 0) return std::string(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string out;
    const uint8_t* p = data + 1;
    const uint8_t* end = data + size;
    while (p < end) out += frame_call(p, end, service);
    return out;
}

void for_each_request(const std::string& bytes, const char* service,
                      const std::function<void(const std::string& method, const std::string& payload)>& fn) {
    ttrpc::FrameDecoder decoder(ttrpc::kMaxPayload);
    decoder.feed(bytes.data(), bytes.size());
    try {
        while (auto frame = decoder.next()) {
            ttrpc::wire::Request req;
            if (frame->header.type != uint8_t(ttrpc::FrameType::request) || !req.ParseFromString(frame->payload)) continue;
            if (req.service() == service) fn(req.method(), req.payload());
        }
    } catch (const ttrpc::FrameError&) {
        // The server stops reading this connection at the same frame.
    }
}

void serve_and_check(ttrpc::EventLoop& loop, ttrpc::Server& server, const std::string& bytes) {
    int sv[2];
    require(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
    UniqueFd client(sv[1]);
    server.add_connection(UniqueFd(sv[0]));

    ttrpc::FrameDecoder answers(ttrpc::kMaxPayload);
    std::map<uint32_t, int> answered;
    const std::map<uint32_t, int> sent = frames_per_stream(bytes);
    size_t written = 0;
    bool closed = false;
    // Each round writes what the socket takes, serves, and reads the answers. A server that
    // neither drops the connection nor makes progress for this many rounds is a hang.
    for (int round = 0; round < 2000 && server.connection_count() > 0; ++round) {
        if (written < bytes.size()) {
            ssize_t n = ::write(client.get(), bytes.data() + written, bytes.size() - written);
            if (n > 0) written += size_t(n);
            else if (errno != EAGAIN) written = bytes.size();  // the server closed its end
        }
        if (written == bytes.size() && !closed) {
            ::shutdown(client.get(), SHUT_WR);
            closed = true;
        }
        loop.run_once(round < 100 ? 0 : 5);
        read_answers(client.get(), answers, answered, sent);
    }
    require(server.connection_count() == 0, "the server kept a half-closed connection open after serving it");
    read_answers(client.get(), answers, answered, sent);
}

}  // namespace mogu::fuzz
