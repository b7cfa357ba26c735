#include "runtime/process_identity.h"

#include "common/error.h"
#include "runtime/linux/process_setup.h"
#include "runtime/security/seccomp.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {

UniqueFd assume_process_identity(const oci::Process& proc, const std::optional<CapabilitySets>& caps, const SeccompProgram* seccomp) {
    if (caps) drop_bounding_set(*caps);
    // The cwd is entered while we are still root, as runc does: a cwd whose parents only root
    // may pass works. Where root is refused (a directory only the container's user may enter,
    // on a volume chowned to it), it is tried again as that user.
    bool cwd_entered = try_enter_cwd(proc.cwd);
    // Checked before any filter is loaded where possible (CVE-2024-21626).
    if (cwd_entered) verify_cwd_inside_root(proc.cwd);
    UniqueFd listener;
    if (seccomp && !proc.no_new_privileges) listener.reset(seccomp->install());
    give_stdio_to(proc.user.uid);
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) throw SysError(errno, "prctl(PR_SET_KEEPCAPS)");
    switch_user(proc.user);
    if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) throw SysError(errno, "prctl(PR_SET_KEEPCAPS)");
    if (caps) apply_capability_sets(*caps);
    if (!cwd_entered) {
        enter_cwd(proc.cwd);
        verify_cwd_inside_root(proc.cwd);
    }
    if (proc.user.umask) ::umask(static_cast<mode_t>(*proc.user.umask));
    if (proc.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) throw SysError(errno, "prctl(PR_SET_NO_NEW_PRIVS)");
    return listener;
}

void exec_process(const std::string& exe, const oci::Process& proc, std::vector<std::string> env) {
    std::vector<std::string> args = proc.args;
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execve(exe.c_str(), argv.data(), envp.data());
    throw SysError(errno, "exec {}", exe);
}

}  // namespace mogu::runtime
