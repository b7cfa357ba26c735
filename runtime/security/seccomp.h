// linux.seccomp through libseccomp. The parent compiles the profile to a BPF program (so an
// unknown syscall, action or architecture fails the create with its JSON path); the init only
// installs the bytes with seccomp(2), passing flags libseccomp 2.5 cannot (wait_killable_recv)
// and asking for a notify listener fd when the profile uses SCMP_ACT_NOTIFY.
#pragma once

#include "common/oci/spec.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mogu::runtime {

class SeccompProgram {
public:
    // Throws SpecError naming the path under linux.seccomp.
    static SeccompProgram compile(const oci::Seccomp& profile);

    // Installs the filter in the calling process. Returns the notify listener fd, or -1.
    int install() const;

    bool uses_notify() const { return notify_; }
    size_t instructions() const { return bpf_.size() / 8; }

private:
    std::vector<uint8_t> bpf_;  // struct sock_filter[]
    unsigned flags_ = 0;        // SECCOMP_FILTER_FLAG_*
    bool notify_ = false;
};

// For `mogu features` and the docs.
std::vector<std::string> seccomp_known_actions();
std::vector<std::string> seccomp_known_operators();
std::vector<std::string> seccomp_known_archs();
std::vector<std::string> seccomp_known_flags();

}  // namespace mogu::runtime
