// Errors of the snapshot model, each with the kind containerd tells apart (its errdefs), so the
// gRPC layer can send the matching status code and containerd reacts correctly (an "already
// exists" on Commit during unpack is not a failure, for one).
#pragma once

#include "common/error.h"

namespace mogu::snap {

enum class ErrorKind { invalid_argument, not_found, already_exists, failed_precondition, exhausted, unavailable };

class SnapError : public Error {
public:
    template <typename... Args>
    SnapError(ErrorKind kind, fmt::format_string<Args...> f, Args&&... args)
        : Error(f, std::forward<Args>(args)...), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

}  // namespace mogu::snap
