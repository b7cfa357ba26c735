// UTF-8 as protobuf's proto3 `string` fields require it: Go's and C++'s decoders refuse a message
// whose strings are not valid UTF-8, so what mogu sends must be, and what it accepts is held to
// the same rule (common/protobuf_c.h).
#pragma once

#include <string>
#include <string_view>

namespace mogu {

// Well-formed UTF-8: no stray continuation bytes, no overlong forms, no surrogates, nothing above
// U+10FFFF.
bool is_valid_utf8(std::string_view s);

// s with each byte that does not start a valid sequence replaced by U+FFFD (as Go's
// strings.ToValidUTF8 does per invalid run, here per byte).
std::string to_valid_utf8(std::string_view s);

}  // namespace mogu
