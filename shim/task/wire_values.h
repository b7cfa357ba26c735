// Values the shim reports and their wire form: wall-clock times (a process's exit, an event's
// envelope) as google.protobuf.Timestamp, typed bytes as google.protobuf.Any.
#pragma once

#include "common/protobuf_c.h"
#include "shim/proto/messages.h"

#include <cstdint>
#include <string_view>

namespace mogu::shim {

struct Timestamp {
    int64_t seconds = 0;
    int32_t nanos = 0;
};

Timestamp now_timestamp();

// Messages owned by arena.
pb::wkt::Timestamp* wire_timestamp(pbc::Arena& arena, const Timestamp& t);
pb::wkt::Any* wire_any(pbc::Arena& arena, std::string_view type_url, std::string_view value);

}  // namespace mogu::shim
