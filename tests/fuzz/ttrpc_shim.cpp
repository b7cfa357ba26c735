// Fuzz target: the bytes a client writes to the shim's ttrpc socket, served by the shim's real
// ttrpc server with its real Task service (every containerd.task.v2.Task method registered), as
// containerd-shim-mogu-v2 serves containerd.
//
// Input, chosen by its first byte:
//   even: raw mode, the rest of the input is the byte stream itself (frame lengths, stream ids,
//         types, flags, truncated and oversized frames, garbage);
//   odd:  call mode, the rest is a list of calls the harness frames correctly, so the fuzzer
//         spends its time on the protobuf payloads of the Task methods:
//           [method] [stream id] [frame type] [flags] [length: 2 bytes LE] [payload]
//         method picks a Task method by index (past the table: a method or service the shim
//         does not have); the payload goes into a ttrpc Request for that method.
// The client half-closes after writing; the harness runs the loop until the server drops the
// connection, reading every answer.
//
// Expected: every request is answered (an error status for bad input) and the server stays
// up. Findings: a sanitizer report, a leak, a hang, an answer that is not a ttrpc Response
// frame, a stream answered more often than it was sent on, or a connection the server keeps
// open after the client half-closed it.
//
// Sandbox: a well-formed Create makes the Task service write options into its bundle, mount
// the rootfs, open stdio paths and run the runtime binary, all named by the input. The target
// runs in tests/fuzz/sandbox.h's Landlock sandbox: writes only where libFuzzer writes and in
// $TMPDIR, no exec, no mount. So Create fails at one of those steps, as it does for containerd
// when a path or the runtime is wrong. ASan cannot start its symbolizer in there: replay a
// reproducer with MOGU_FUZZ_NO_SANDBOX=1 for symbolized stacks, after reading what it asks for.
#include "common/log.h"
#include "shim/task/publisher.h"
#include "shim/task/task_service.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/sandbox.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/frame.h"
#include "ttrpc/server.h"
#include "ttrpc/ttrpc.pb.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <map>
#include <string>

using namespace mogu;

namespace {

constexpr const char* kMethods[] = {
    "State", "Create", "Start",   "Delete", "Pids",  "Pause",   "Resume",   "Checkpoint", "Kill",
    "Exec",  "ResizePty", "CloseIO", "Update", "Wait", "Stats", "Connect", "Shutdown",
};
constexpr size_t kMethodCount = sizeof kMethods / sizeof kMethods[0];

std::string frame_call(const uint8_t*& p, const uint8_t* end) {
    if (end - p < 6) {
        p = end;
        return {};
    }
    uint8_t method = p[0], stream = p[1], type = p[2], flags = p[3];
    size_t len = p[4] | (size_t(p[5]) << 8);
    p += 6;
    len = std::min<size_t>(len, end - p);
    ttrpc::wire::Request req;
    if (method < kMethodCount) {
        req.set_service(shim::TaskService::kService);
        req.set_method(kMethods[method]);
    } else if (method % 2) {
        req.set_service(shim::TaskService::kService);
        req.set_method("NoSuchMethod");
    } else {
        req.set_service("containerd.no.Such");
        req.set_method("State");
    }
    req.set_payload(std::string(reinterpret_cast<const char*>(p), len));
    p += len;
    // Mostly requests on odd stream ids, as a client sends them; the rest as the bytes say.
    auto frame_type = type < 200 ? ttrpc::FrameType::request : static_cast<ttrpc::FrameType>(type % 5);
    return ttrpc::encode_frame(stream < 200 ? 2u * stream + 1 : stream, frame_type, req.SerializeAsString(), flags);
}

std::string client_bytes(const uint8_t* data, size_t size) {
    if (size == 0) return {};
    if (data[0] % 2 == 0) return std::string(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string out;
    const uint8_t* p = data + 1;
    const uint8_t* end = data + size;
    while (p < end) out += frame_call(p, end);
    return out;
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
        fuzz::require(frame->header.type == uint8_t(ttrpc::FrameType::response), "the server sent a frame that is not a response");
        ttrpc::wire::Response resp;
        fuzz::require(resp.ParseFromString(frame->payload), "a response frame does not hold a ttrpc Response");
        auto it = sent.find(frame->header.stream_id);
        fuzz::require(++answered[frame->header.stream_id] <= (it == sent.end() ? 0 : it->second),
                      "a stream was answered more often than the client sent on it");
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    fuzz::enter_write_sandbox(*argc, *argv);
    log::configure("/dev/null", log::Format::text, false);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes = client_bytes(data, size);

    ttrpc::EventLoop loop;
    shim::Publisher events("", "fuzz");  // no containerd: events are dropped
    shim::TaskService service(loop, events, "fuzz", [] {});
    ttrpc::Server server(loop);
    service.register_methods(server);

    int sv[2];
    fuzz::require(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
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
    fuzz::require(server.connection_count() == 0, "the server kept a half-closed connection open after serving it");
    read_answers(client.get(), answers, answered, sent);
    return 0;
}
