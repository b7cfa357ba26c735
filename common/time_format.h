// Time stamps as Go's time.RFC3339Nano prints them (what runc writes in state and logs).
#pragma once

#include <ctime>
#include <string>

namespace mogu {

// "2026-11-26T16:29:31.123456789Z", trailing zeros of the fraction dropped as Go does.
std::string rfc3339_nano(const struct timespec& ts);
std::string rfc3339_nano_now();

}  // namespace mogu
