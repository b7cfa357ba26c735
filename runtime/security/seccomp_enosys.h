// Syscalls a seccomp profile does not know. A profile written before a syscall existed (clone3,
// openat2, faccessat2, ...) would give it the default action, an errno like EPERM, and glibc then
// takes the failure for real instead of falling back to the older call it uses on ENOSYS. runc
// prepends a stub that answers ENOSYS for any syscall numbered above the highest one the profile
// names (per architecture); so does mogu, with the same rule: only when the default action does
// not allow.
#pragma once

#include "common/oci/spec.h"

#include <linux/filter.h>

#include <cstdint>
#include <vector>

namespace mogu::runtime {

// The highest syscall number the profile names, per architecture (AUDIT_ARCH_* values, as
// libseccomp's SCMP_ARCH_* are); `arches` are the filter's architectures.
std::vector<std::pair<uint32_t, uint32_t>> last_known_syscalls(const oci::Seccomp& profile, const std::vector<uint32_t>& arches);

// cBPF to run before libseccomp's program: for a listed architecture, a syscall above its last
// known number returns ENOSYS; anything else falls through to the instruction after the stub.
// x32 syscalls (x86_64 with the x32 bit) are left to the main program.
std::vector<sock_filter> enosys_stub(const std::vector<std::pair<uint32_t, uint32_t>>& last_known);

}  // namespace mogu::runtime
