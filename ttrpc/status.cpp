#include "ttrpc/status.h"

namespace mogu::ttrpc {

const char* code_name(Code c) {
    switch (c) {
        case Code::ok: return "OK";
        case Code::canceled: return "Canceled";
        case Code::unknown: return "Unknown";
        case Code::invalid_argument: return "InvalidArgument";
        case Code::deadline_exceeded: return "DeadlineExceeded";
        case Code::not_found: return "NotFound";
        case Code::already_exists: return "AlreadyExists";
        case Code::permission_denied: return "PermissionDenied";
        case Code::resource_exhausted: return "ResourceExhausted";
        case Code::failed_precondition: return "FailedPrecondition";
        case Code::aborted: return "Aborted";
        case Code::out_of_range: return "OutOfRange";
        case Code::unimplemented: return "Unimplemented";
        case Code::internal: return "Internal";
        case Code::unavailable: return "Unavailable";
        case Code::data_loss: return "DataLoss";
        case Code::unauthenticated: return "Unauthenticated";
    }
    return "Unknown";
}

}  // namespace mogu::ttrpc
