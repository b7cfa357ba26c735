// ttrpc's wire messages (ttrpc.proto: Request, Response, Status) as protobuf-c structs, and the
// two bodies the library writes. Only the library's sources include this.
#pragma once

#include "common/protobuf_c.h"
#include "ttrpc/protobuf_c_types.h"  // generated: ttrpc.pb-c.h and its descriptors
#include "ttrpc/server.h"
#include "ttrpc/status.h"

#include <string>
#include <string_view>

namespace mogu::ttrpc::wire {

using Request = Mogu__Ttrpc__Wire__Request;
using Response = Mogu__Ttrpc__Wire__Response;

// A Response body: code ok carries the payload and an explicit OK status (as ttrpc-go sends);
// any other code carries the message and no payload.
std::string encode_response(Code code, std::string_view message, std::string_view payload);

// A Request body; timeout_ms 0 sends no deadline.
std::string encode_request(std::string_view service, std::string_view method, std::string_view payload,
                           int timeout_ms, const Metadata& metadata);

}  // namespace mogu::ttrpc::wire
