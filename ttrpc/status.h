// ttrpc status: the gRPC code set carried in google.rpc.Status. containerd maps these codes
// to its errdefs (NotFound, AlreadyExists, FailedPrecondition, Unimplemented, ...).
#pragma once

#include "common/error.h"

#include <cstdint>
#include <string>

namespace mogu::ttrpc {

enum class Code : int32_t {
    ok = 0,
    canceled = 1,
    unknown = 2,
    invalid_argument = 3,
    deadline_exceeded = 4,
    not_found = 5,
    already_exists = 6,
    permission_denied = 7,
    resource_exhausted = 8,
    failed_precondition = 9,
    aborted = 10,
    out_of_range = 11,
    unimplemented = 12,
    internal = 13,
    unavailable = 14,
    data_loss = 15,
    unauthenticated = 16,
};

const char* code_name(Code c);

struct Status {
    Code code = Code::ok;
    std::string message;
    bool ok() const { return code == Code::ok; }
};

// Thrown by method handlers to answer with a specific code; any other Error answers Unknown.
class StatusError : public Error {
public:
    template <typename... Args>
    StatusError(Code code, fmt::format_string<Args...> f, Args&&... args)
        : Error(f, std::forward<Args>(args)...), code_(code) {}
    Code code() const noexcept { return code_; }

private:
    Code code_;
};

}  // namespace mogu::ttrpc
