// Runs a program (no shell) and captures what it prints.
#pragma once

#include <string>
#include <vector>

namespace mogu {

struct CommandResult {
    int status = 0;      // raw wait status
    std::string output;  // stdout (and stderr when merged)
    bool ok() const;     // exited with 0
};

// argv[0] is looked up in PATH. stdin is /dev/null.
CommandResult run_program(const std::vector<std::string>& argv, bool merge_stderr = false);

}  // namespace mogu
