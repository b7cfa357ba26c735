// The processes mogu-vm leaves running (the keeper, a detached exec's waiter) keep only the fds
// they need: a caller's other fds (a test runner's output pipe, a lock) must not stay open for
// the container's lifetime, nor reach QEMU. Each is forked to report once it is ready, so that
// the verb that made it returns only then, with its error if it failed.
#pragma once

#include "common/fd.h"

#include <sys/types.h>

#include <functional>
#include <vector>

namespace mogu::vm {

// Closes every fd above 2 except these (and the log's).
void close_fds_except(const std::vector<int>& keep);

// Forks a process that outlives the caller. In the child: every fd closed but `keep` and the
// report pipe's write end, a new session, then `child` (which should not return: a return or an
// exception exits 1) with that pipe, on which it writes "ok" or its error and closes it (see
// write_keeper_report). `before_close` runs in the child first (a VmDir's forget_lock). The parent
// returns the child's pid once it reported "ok"; otherwise it reaps the child and throws its error.
pid_t fork_reporting_child(const std::vector<int>& keep, const std::function<void()>& before_close,
                           const std::function<void(UniqueFd report)>& child);

}  // namespace mogu::vm
