// The processes mogu-vm leaves running (the keeper, a detached exec's waiter) keep only the fds
// they need: a caller's other fds (a test runner's output pipe, a lock) must not stay open for
// the container's lifetime, nor reach QEMU.
#pragma once

#include <initializer_list>

namespace mogu::vm {

// Closes every fd above 2 except these (and the log's).
void close_fds_except(std::initializer_list<int> keep);

}  // namespace mogu::vm
