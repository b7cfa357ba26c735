#include "runtime/security/seccomp.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/log.h"
#include "runtime/security/seccomp_enosys.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace mogu::runtime {
namespace {

struct Ctx {
    scmp_filter_ctx ctx;
    ~Ctx() { seccomp_release(ctx); }
};

const struct {
    const char* name;
    uint32_t base;
    bool takes_errno;
} kActions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},   {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false}, {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},      {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},        {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

const struct {
    const char* name;
    scmp_compare op;
} kOperators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

const struct {
    const char* name;
    unsigned flag;
} kFlags[] = {
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1U << 5},  // linux 5.19; not in every header
};

uint32_t action_of(const std::string& name, std::optional<uint32_t> errno_ret, const std::string& path) {
    for (const auto& a : kActions)
        if (name == a.name) return a.takes_errno ? (a.base | (errno_ret.value_or(EPERM) & 0xffff)) : a.base;
    throw SpecError(path, "unknown seccomp action \"{}\"", name);
}

std::string arch_token_name(const std::string& oci) {
    // "SCMP_ARCH_X86_64" -> "x86_64"
    std::string s = oci.starts_with("SCMP_ARCH_") ? oci.substr(10) : oci;
    for (auto& c : s) c = static_cast<char>(tolower(c));
    return s;
}

}  // namespace

SeccompProgram SeccompProgram::compile(const oci::Seccomp& p) {
    SeccompProgram prog;
    uint32_t def = action_of(p.default_action, p.default_errno_ret, "linux.seccomp.defaultAction");
    Ctx c{seccomp_init(def)};
    if (!c.ctx) throw Error("linux.seccomp: seccomp_init failed for default action {}", p.default_action);
    prog.notify_ = def == SCMP_ACT_NOTIFY;

    for (size_t i = 0; i < p.architectures.size(); ++i) {
        std::string path = fmt::format("linux.seccomp.architectures[{}]", i);
        uint32_t arch = seccomp_arch_resolve_name(arch_token_name(p.architectures[i]).c_str());
        if (arch == 0) throw SpecError(path, "unknown architecture \"{}\"", p.architectures[i]);
        int rc = seccomp_arch_add(c.ctx, arch);
        if (rc < 0 && rc != -EEXIST) throw SysError(-rc, "{}: add architecture {}", path, p.architectures[i]);
    }

    for (size_t i = 0; i < p.flags.size(); ++i) {
        bool found = false;
        for (const auto& f : kFlags)
            if (p.flags[i] == f.name) {
                prog.flags_ |= f.flag;
                found = true;
            }
        if (!found) throw SpecError(fmt::format("linux.seccomp.flags[{}]", i), "unknown seccomp flag \"{}\"", p.flags[i]);
    }

    for (const auto& call : p.syscalls) {
        uint32_t action = action_of(call.action, call.errno_ret, call.path + ".action");
        if (action == def) continue;  // the kernel refuses rules that repeat the default
        if (action == SCMP_ACT_NOTIFY) prog.notify_ = true;
        std::vector<scmp_arg_cmp> cmps;
        for (size_t a = 0; a < call.args.size(); ++a) {
            const auto& arg = call.args[a];
            std::optional<scmp_compare> op;
            for (const auto& o : kOperators)
                if (arg.op == o.name) op = o.op;
            if (!op) throw SpecError(fmt::format("{}.args[{}].op", call.path, a), "unknown seccomp operator \"{}\"", arg.op);
            cmps.push_back(scmp_arg_cmp{arg.index, *op, arg.value, arg.value_two});
        }
        for (size_t n = 0; n < call.names.size(); ++n) {
            const std::string& name = call.names[n];
            std::string path = fmt::format("{}.names[{}]", call.path, n);
            int nr = seccomp_syscall_resolve_name(name.c_str());
            if (nr == __NR_SCMP_ERROR) throw SpecError(path, "unknown syscall \"{}\"", name);
            // Several conditions on one argument need one rule each (libseccomp ANDs a rule's
            // conditions and refuses two on the same argument); runc splits them the same way.
            bool repeated_arg = false;
            for (size_t x = 0; x < cmps.size(); ++x)
                for (size_t y = x + 1; y < cmps.size(); ++y) repeated_arg |= cmps[x].arg == cmps[y].arg;
            if (repeated_arg) {
                for (const auto& cmp : cmps) {
                    int rc = seccomp_rule_add_array(c.ctx, action, nr, 1, &cmp);
                    if (rc < 0) throw SysError(-rc, "{}: add rule for {}", path, name);
                }
                continue;
            }
            int rc = seccomp_rule_add_array(c.ctx, action, nr, static_cast<unsigned>(cmps.size()), cmps.data());
            if (rc < 0) throw SysError(-rc, "{}: add rule for {}", path, name);
        }
    }

    // Without a listener nobody would answer: every notified syscall would block for good.
    if (prog.notify_ && p.listener_path.empty())
        throw SpecError("linux.seccomp.listenerPath", "is empty, but the profile uses SCMP_ACT_NOTIFY: the listener fd needs an agent's socket to go to");

    // Export the program; installing it is then a single syscall in the init.
    UniqueFd mem(static_cast<int>(::syscall(SYS_memfd_create, "mogu-seccomp", MFD_CLOEXEC)));
    if (!mem) throw SysError(errno, "memfd_create for the seccomp program");
    int rc = seccomp_export_bpf(c.ctx, mem.get());
    if (rc < 0) throw SysError(-rc, "linux.seccomp: export the filter");
    off_t size = ::lseek(mem.get(), 0, SEEK_END);
    if (size <= 0 || size % 8) throw Error("linux.seccomp: exported filter has an odd size {}", size);
    prog.bpf_.resize(static_cast<size_t>(size));
    if (::pread(mem.get(), prog.bpf_.data(), prog.bpf_.size(), 0) != size) throw SysError(errno, "read the seccomp program");

    // A syscall newer than the profile gets ENOSYS, not a default action that denies (runc's stub).
    if (def != SCMP_ACT_ALLOW && def != SCMP_ACT_LOG) {
        std::vector<uint32_t> arches = {seccomp_arch_native()};
        for (const auto& a : p.architectures) arches.push_back(seccomp_arch_resolve_name(arch_token_name(a).c_str()));
        auto stub = enosys_stub(last_known_syscalls(p, arches));
        const auto* bytes = reinterpret_cast<const uint8_t*>(stub.data());
        prog.bpf_.insert(prog.bpf_.begin(), bytes, bytes + stub.size() * sizeof(sock_filter));
    }
    return prog;
}

int SeccompProgram::install() const {
    struct sock_fprog fprog;
    fprog.len = static_cast<unsigned short>(bpf_.size() / 8);
    fprog.filter = reinterpret_cast<struct sock_filter*>(const_cast<uint8_t*>(bpf_.data()));
    unsigned flags = flags_ | (notify_ ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
    long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
    if (rc < 0) throw SysError(errno, "install the seccomp filter ({} instructions, flags {:#x})", fprog.len, flags);
    log::debug("seccomp filter installed: {} instructions, flags {:#x}{}", fprog.len, flags, notify_ ? ", with a notify listener" : "");
    return notify_ ? static_cast<int>(rc) : -1;
}

std::vector<std::string> seccomp_known_actions() {
    std::vector<std::string> v;
    for (const auto& a : kActions) v.push_back(a.name);
    return v;
}
std::vector<std::string> seccomp_known_operators() {
    std::vector<std::string> v;
    for (const auto& o : kOperators) v.push_back(o.name);
    return v;
}
std::vector<std::string> seccomp_known_archs() {
    return {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
            "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
            "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
            "SCMP_ARCH_S390X", "SCMP_ARCH_RISCV64"};
}
std::vector<std::string> seccomp_known_flags() {
    std::vector<std::string> v;
    for (const auto& f : kFlags) v.push_back(f.name);
    return v;
}

}  // namespace mogu::runtime
