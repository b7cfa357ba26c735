// The client half of the ttrpc fuzz targets (the shim's Task service, the VM agent's Agent
// service): turns an input into the bytes a client writes, serves them with a real
// ttrpc::Server, and checks every answer.
//
// Input, chosen by its first byte:
//   even: raw mode, the rest of the input is the byte stream itself (frame lengths, stream ids,
//         types, flags, truncated and oversized frames, garbage);
//   odd:  call mode, the rest is a list of calls the harness frames correctly, so the fuzzer
//         spends its time on the protobuf payloads of the service's methods:
//           [method] [stream id] [frame type] [flags] [length: 2 bytes LE] [payload]
//         method picks one of the service's methods by index (past the table: a method or
//         service the server does not have); the payload goes into a ttrpc Request for it.
//
// Findings: an answer that is not a ttrpc Response frame, a stream answered more often than the
// client sent on it, a server that neither drops nor serves a half-closed connection.
#pragma once

#include "ttrpc/event_loop.h"
#include "ttrpc/server.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace mogu::fuzz {

struct TtrpcService {
    const char* name;                     // "containerd.task.v2.Task"
    std::span<const char* const> methods;  // what call mode's method byte picks from
};

// The bytes the client writes for this input.
std::string ttrpc_client_bytes(const uint8_t* data, size_t size, const TtrpcService& service);

// Every complete Request frame in the client's bytes, decoded: (method, payload) for calls on
// `service`. The targets use it to look into payloads the server could not take far.
void for_each_request(const std::string& bytes, const char* service,
                      const std::function<void(const std::string& method, const std::string& payload)>& fn);

// Writes the bytes on a socket pair to `server` (running `loop`), half-closes, and serves until
// the server drops the connection, reading and checking every answer.
void serve_and_check(ttrpc::EventLoop& loop, ttrpc::Server& server, const std::string& bytes);

}  // namespace mogu::fuzz
