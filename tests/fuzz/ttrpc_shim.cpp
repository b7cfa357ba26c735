// Fuzz target: the bytes a client writes to the shim's ttrpc socket, served by the shim's real
// ttrpc server with its real Task service (every containerd.task.v2.Task method registered), as
// containerd-shim-mogu-v2 serves containerd.
//
// Input: tests/fuzz/ttrpc_client.h (raw frames, or calls of every Task method framed by the
// harness, so mutations land in the protobuf requests). The client half-closes after writing;
// the harness runs the loop until the server drops the connection, reading every answer.
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
#include "tests/fuzz/sandbox.h"
#include "tests/fuzz/ttrpc_client.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/server.h"

#include <cstdint>
#include <string>

using namespace mogu;

namespace {

constexpr const char* kMethods[] = {
    "State", "Create", "Start",   "Delete", "Pids",  "Pause",   "Resume",   "Checkpoint", "Kill",
    "Exec",  "ResizePty", "CloseIO", "Update", "Wait", "Stats", "Connect", "Shutdown",
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    fuzz::enter_write_sandbox(*argc, *argv);
    log::configure("/dev/null", log::Format::text, false);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes = fuzz::ttrpc_client_bytes(data, size, {shim::TaskService::kService, kMethods});

    ttrpc::EventLoop loop;
    shim::Publisher events("", "fuzz");  // no containerd: events are dropped
    shim::TaskService service(loop, events, "fuzz", [] {});
    ttrpc::Server server(loop);
    service.register_methods(server);
    fuzz::serve_and_check(loop, server, bytes);
    return 0;
}
