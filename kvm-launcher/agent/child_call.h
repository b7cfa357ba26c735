// Runs a runtime call in a forked child whose stdio are the given fds: the container's init (or
// exec'd process) inherits them, and whatever the runtime changes in its process (cwd, signal
// dispositions, a crash) stays out of PID 1. The child reports an error message, or nothing.
#pragma once

#include <functional>
#include <string>

namespace mogu::vm::agent {

struct ChildStdio {
    int in = -1, out = -1, err = -1;  // -1: /dev/null
};

// Throws Error with the child's message when fn threw or the child died.
void call_in_child(const std::string& what, ChildStdio stdio, const std::function<void()>& fn);

}  // namespace mogu::vm::agent
