#include "runtime/clone_into_cgroup.h"

#include "common/error.h"
#include "runtime/child_process.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {

UniqueFd open_cgroup_dir(const std::string& v2_dir) {
    if (v2_dir.empty()) return UniqueFd();
    UniqueFd fd(::open(v2_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "open cgroup {}", v2_dir);
    return fd;
}

pid_t clone_into_cgroup(int namespace_flags, int cgroup_fd, bool& into_cgroup) {
    into_cgroup = false;
    if (cgroup_fd >= 0) {
        struct clone_args args = {};
        args.flags = static_cast<uint64_t>(namespace_flags) | CLONE_INTO_CGROUP;
        args.exit_signal = SIGCHLD;
        args.cgroup = static_cast<uint64_t>(cgroup_fd);
        long pid = ::syscall(SYS_clone3, &args, sizeof args);
        if (pid >= 0) {
            into_cgroup = true;
            return static_cast<pid_t>(pid);
        }
        // Older kernels (clone3 < 5.3, CLONE_INTO_CGROUP < 5.7): place the child afterwards.
        if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
            throw SysError(errno, "clone3 into the container's cgroup with namespace flags {:#x}", namespace_flags);
    }
    return clone_with_flags(namespace_flags);
}

}  // namespace mogu::runtime
