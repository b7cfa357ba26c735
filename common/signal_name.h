#pragma once

#include <string>

namespace mogu::cli {

// "9", "KILL", "SIGKILL", "sigkill" -> 9. Throws UsageError naming the argument.
int parse_signal(const std::string& s);

}  // namespace mogu::cli
