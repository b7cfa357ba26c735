// The gRPC channel to a CRI endpoint (crictl's --runtime-endpoint: unix:///path or a path) and
// one call: deadline, and a failed status turned into an error naming the method and gRPC code.
#pragma once

#include "runtime/v1/api.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

namespace mogu::cri {

struct Connection {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<runtime::v1::RuntimeService::Stub> runtime;
    std::unique_ptr<runtime::v1::ImageService::Stub> images;
    std::chrono::seconds timeout{30};
};

// Connects lazily, as gRPC does; the first call reports an unreachable endpoint.
Connection connect(const std::string& endpoint, std::chrono::seconds timeout);

// "RunPodSandbox: NOT_FOUND: failed to get sandbox runtime: no runtime for \"x\" is configured"
[[noreturn]] void throw_status(const char* method, const grpc::Status& status);

// Runs `(stub->*method)(&context, request, &response)` with the connection's deadline.
template <typename Stub, typename Request, typename Response>
Response call(const Connection& c, Stub& stub,
              grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
              const char* name, const Request& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + c.timeout);
    Response response;
    grpc::Status status = (stub.*method)(&context, request, &response);
    if (!status.ok()) throw_status(name, status);
    return response;
}

}  // namespace mogu::cri
