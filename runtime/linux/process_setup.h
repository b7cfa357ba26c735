// Per-process settings applied in the container (init or exec'd process) just before execve.
#pragma once

#include "common/oci/spec.h"

#include <sys/types.h>

#include <string>
#include <vector>

namespace mogu::runtime {

// The process environment: process.env, plus HOME from the container's /etc/passwd when unset
// (as runc does), plus PATH's default when unset.
std::vector<std::string> process_environment(const oci::Process& p);

// Finds args[0] the way execvp would, with PATH from env. Errors read like runc's:
// exec: "foo": executable file not found in $PATH; a path with no execute bit: Permission denied.
std::string find_executable(const std::string& arg0, const std::vector<std::string>& env);

// setgroups (additionalGids), setresgid, setresuid. Called with KEEPCAPS set by the caller.
// Makes the process's user the owner of its stdio (its pty, above all), as runc does, so it can
// control its own terminal; /dev/null is left alone.
void give_stdio_to(uid_t uid);
void switch_user(const oci::User& u);
// chdir to the process's cwd. try_enter_cwd returns false where access was denied (the caller
// tries again as the container's user), enter_cwd throws.
bool try_enter_cwd(const std::string& cwd);
void enter_cwd(const std::string& cwd);
// Makes sure the cwd is inside the container's root: a leaked host fd used as "/proc/self/fd/N"
// would leave getcwd() "(unreachable)" (CVE-2024-21626). A getcwd that a seccomp filter refuses
// is not taken for a breakout.
void verify_cwd_inside_root(const std::string& cwd);
void set_rlimits(pid_t pid, const std::vector<oci::Rlimit>& rlimits);
void set_oom_score_adj(pid_t pid, int value);
void write_sysctls(const std::map<std::string, std::string>& sysctl);
// Closes every fd above 2 except the preserved range [3, 3+preserve) and `keep`: a child of
// the runtime must not hold the runtime's own fds (the state directory's lock among them).
void close_fds_except(int preserve, std::vector<int> keep);
// Marks every fd from `first_to_close` up close-on-exec (the process keeps 0-2 and preserved fds).
void close_fds_on_exec(int first_to_close);
// Clears the signal mask and restores default handlers (the runtime may have blocked signals).
void reset_signals();

}  // namespace mogu::runtime
