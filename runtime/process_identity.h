// The last steps before a container process (init or exec'd) runs its program: it becomes the
// spec's user with the spec's capabilities, enters its cwd, and gets its umask and
// no_new_privs. Shared by container_init.cpp and exec.cpp so both do it in the same order.
#pragma once

#include "common/fd.h"
#include "common/oci/spec.h"
#include "runtime/security/capabilities.h"

#include <optional>
#include <string>
#include <vector>

namespace mogu::runtime {

class SeccompProgram;

// Order: bounding set (needs CAP_SETPCAP), cwd as root when root may enter it (checked to be
// inside the root), seccomp when it must precede the switch (without no_new_privs the kernel
// wants CAP_SYS_ADMIN), user and groups with capabilities kept, the capability sets, cwd as the
// user if root could not enter it, umask, no_new_privs. Returns the
// notify listener fd when the filter was installed here and uses notify.
UniqueFd assume_process_identity(const oci::Process& proc, const std::optional<CapabilitySets>& caps, const SeccompProgram* seccomp);

// execve with the process's args and `env`; only returns by throwing. The caller has reset the
// signal mask and handlers (reset_signals) before loading any seccomp filter.
[[noreturn]] void exec_process(const std::string& exe, const oci::Process& proc, std::vector<std::string> env);

}  // namespace mogu::runtime
