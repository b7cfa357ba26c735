// Go-style durations on the command line ("5s", "500ms", "1m30s"), as runc's flags take them.
#pragma once

#include <chrono>
#include <string>

namespace mogu::cli {

// At most a day. Throws UsageError starting with `what` ("events: --interval").
std::chrono::milliseconds parse_duration(const std::string& s, const std::string& what);

}  // namespace mogu::cli
