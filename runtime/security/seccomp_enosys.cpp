#include "runtime/security/seccomp_enosys.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <cerrno>
#include <cstddef>
#include <map>

namespace mogu::runtime {
namespace {

constexpr uint32_t kX32SyscallBit = 0x40000000;

sock_filter stmt(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter jump(uint16_t code, uint32_t k, size_t jt, size_t jf) {
    return sock_filter{code, static_cast<uint8_t>(jt), static_cast<uint8_t>(jf), k};
}

}  // namespace

std::vector<std::pair<uint32_t, uint32_t>> last_known_syscalls(const oci::Seccomp& profile, const std::vector<uint32_t>& arches) {
    std::map<uint32_t, int> last;
    for (uint32_t arch : arches) {
        if (arch == SCMP_ARCH_X32) continue;  // x32 numbers come in under AUDIT_ARCH_X86_64
        for (const auto& call : profile.syscalls)
            for (const auto& name : call.names) {
                int nr = seccomp_syscall_resolve_name_arch(arch, name.c_str());
                if (nr < 0) continue;  // not on this architecture, or a libseccomp pseudo number
                if (arch == SCMP_ARCH_X86_64) nr &= ~static_cast<int>(kX32SyscallBit);
                auto [it, inserted] = last.emplace(arch, nr);
                if (!inserted && nr > it->second) it->second = nr;
            }
    }
    return {last.begin(), last.end()};
}

std::vector<sock_filter> enosys_stub(const std::vector<std::pair<uint32_t, uint32_t>>& last_known) {
    if (last_known.empty()) return {};
    // Layout: load arch; one block per architecture; "ja main"; "ret ENOSYS"; main follows.
    auto block_size = [](uint32_t arch) -> size_t { return arch == AUDIT_ARCH_X86_64 ? 4 : 3; };
    size_t ja_main = 1;
    for (const auto& [arch, nr] : last_known) ja_main += block_size(arch);
    const size_t ret_enosys = ja_main + 1, main = ja_main + 2;

    std::vector<sock_filter> out;
    out.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
    for (const auto& [arch, last] : last_known) {
        size_t start = out.size(), next = start + block_size(arch);
        out.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, next - (start + 1)));
        out.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
        if (arch == AUDIT_ARCH_X86_64) {
            size_t pc = out.size();
            out.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kX32SyscallBit, main - (pc + 1), 0));
        }
        size_t pc = out.size();
        out.push_back(jump(BPF_JMP | BPF_JGT | BPF_K, last, ret_enosys - (pc + 1), main - (pc + 1)));
    }
    out.push_back(stmt(BPF_JMP | BPF_JA, static_cast<uint32_t>(main - (ja_main + 1))));
    out.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)));
    return out;
}

}  // namespace mogu::runtime
