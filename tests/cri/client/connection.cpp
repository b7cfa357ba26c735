#include "tests/cri/client/connection.h"

#include "common/error.h"

namespace mogu::cri {

namespace {

const char* code_name(grpc::StatusCode code) {
    switch (code) {
    case grpc::OK: return "OK";
    case grpc::CANCELLED: return "CANCELLED";
    case grpc::UNKNOWN: return "UNKNOWN";
    case grpc::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::NOT_FOUND: return "NOT_FOUND";
    case grpc::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::ABORTED: return "ABORTED";
    case grpc::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::INTERNAL: return "INTERNAL";
    case grpc::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::DATA_LOSS: return "DATA_LOSS";
    case grpc::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN_CODE";
    }
}

}  // namespace

Connection connect(const std::string& endpoint, std::chrono::seconds timeout) {
    if (endpoint.empty()) throw UsageError("empty runtime endpoint");
    // gRPC's own target syntax is unix:/// or unix:path; a bare path is what crictl also takes.
    std::string target = endpoint.starts_with("unix://") || endpoint.starts_with("unix:") ? endpoint
                                                                                        : "unix://" + endpoint;
    Connection c;
    c.channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    c.runtime = runtime::v1::RuntimeService::NewStub(c.channel);
    c.images = runtime::v1::ImageService::NewStub(c.channel);
    c.timeout = timeout;
    return c;
}

void throw_status(const char* method, const grpc::Status& status) {
    throw Error("{}: {}: {}", method, code_name(status.error_code()), status.error_message());
}

}  // namespace mogu::cri
