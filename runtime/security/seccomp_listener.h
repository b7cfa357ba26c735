// linux.seccomp.listenerPath: the notify fd of a container's filter goes to an agent listening
// on a unix socket, with the container process state (runtime-spec "containerProcessState").
#pragma once

#include <sys/types.h>

#include <string>

namespace mogu::runtime {

// `state_json` is the container's state object; errors name linux.seccomp.listenerPath.
void send_to_seccomp_listener(const std::string& path, int listener_fd, pid_t pid, const std::string& metadata,
                              const std::string& oci_version, const std::string& state_json);

}  // namespace mogu::runtime
