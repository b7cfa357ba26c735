// String helpers used across parts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mogu {

std::vector<std::string> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
std::string join(const std::vector<std::string>& items, std::string_view sep);
// Whole-string decimal parse; nullopt on junk, sign where not allowed, or overflow.
std::optional<int64_t> parse_int(std::string_view s);
std::optional<uint64_t> parse_uint(std::string_view s);
// A == B with ASCII letters compared without their case ("cgroupsPath" == "CgroupsPATH").
bool equal_ignoring_ascii_case(std::string_view a, std::string_view b);

}  // namespace mogu
