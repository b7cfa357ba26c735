#include "runtime/cgroups/device_filter_bpf.h"

#include "common/error.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mogu::cgroups {
namespace {

constexpr uint8_t R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

bpf_insn load_u32(uint8_t dst, int16_t off) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, R1, off, 0); }
bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) { return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
bpf_insn mov32_reg(uint8_t dst, uint8_t src) { return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
// 32-bit compares (BPF_JMP32): majors and minors are u32, and a 64-bit compare would sign-extend
// the immediate.
bpf_insn jmp32_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off) { return insn(BPF_JMP32 | op | BPF_K, dst, 0, off, imm); }
bpf_insn jmp32_reg(uint8_t op, uint8_t dst, uint8_t src, int16_t off) { return insn(BPF_JMP32 | op | BPF_X, dst, src, off, 0); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

long bpf(int cmd, union bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

// A block whose conditional jumps all skip to the end of the block ("next rule").
struct Block {
    std::vector<bpf_insn> insns;
    std::vector<size_t> jumps;  // indexes of jumps to patch
    void jump_out(bpf_insn i) {
        jumps.push_back(insns.size());
        insns.push_back(i);
    }
    void emit_into(std::vector<bpf_insn>& prog) {
        for (size_t j : jumps) insns[j].off = static_cast<int16_t>(insns.size() - j - 1);
        prog.insert(prog.end(), insns.begin(), insns.end());
    }
};

UniqueFd open_cgroup_dir(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "open cgroup {}", dir);
    return fd;
}

std::vector<uint32_t> query(int cgroup_fd, const std::string& dir) {
    std::vector<uint32_t> ids(64);
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = reinterpret_cast<uint64_t>(ids.data());
    attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
    if (bpf(BPF_PROG_QUERY, attr) < 0) throw SysError(errno, "query device programs of {}", dir);
    ids.resize(attr.query.prog_cnt);
    return ids;
}

UniqueFd prog_fd_by_id(uint32_t id) {
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.prog_id = id;
    return UniqueFd(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, attr)));
}

long attach(int cgroup_fd, int prog_fd, uint32_t flags, int replace_fd) {
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = flags;
    attr.replace_bpf_fd = static_cast<uint32_t>(replace_fd);
    return bpf(BPF_PROG_ATTACH, attr);
}

}  // namespace

std::vector<bpf_insn> device_filter_program(const DeviceState& state) {
    std::vector<bpf_insn> prog = {
        // struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }: access_type holds
        // the device type in its low 16 bits and the requested access in its high 16 bits.
        load_u32(R2, 0), alu32_imm(BPF_AND, R2, 0xffff),
        load_u32(R3, 0), alu32_imm(BPF_RSH, R3, 16),
        load_u32(R4, 4),
        load_u32(R5, 8),
    };
    const int32_t verdict = state.default_allow ? 0 : 1;
    for (const auto& [key, access] : state.exceptions) {
        Block b;
        b.jump_out(jmp32_imm(BPF_JNE, R2, key.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0));
        if (access != kAccAll) {
            b.insns.push_back(mov32_reg(R1, R3));
            b.insns.push_back(alu32_imm(BPF_AND, R1, access));
            // An allow exception must cover every requested access (v1's match_exception); a deny
            // exception applies when it covers any of it (match_exception_partial).
            if (verdict == 1) b.jump_out(jmp32_reg(BPF_JNE, R1, R3, 0));
            else b.jump_out(jmp32_imm(BPF_JEQ, R1, 0, 0));
        }
        if (key.major >= 0) b.jump_out(jmp32_imm(BPF_JNE, R4, static_cast<int32_t>(static_cast<uint32_t>(key.major)), 0));
        if (key.minor >= 0) b.jump_out(jmp32_imm(BPF_JNE, R5, static_cast<int32_t>(static_cast<uint32_t>(key.minor)), 0));
        b.insns.push_back(alu32_imm(BPF_MOV, R0, verdict));
        b.insns.push_back(exit_insn());
        b.emit_into(prog);
    }
    prog.push_back(alu32_imm(BPF_MOV, R0, state.default_allow ? 1 : 0));
    prog.push_back(exit_insn());
    return prog;
}

UniqueFd load_device_filter(const std::vector<bpf_insn>& program) {
    static const char license[] = "Apache";
    std::string log(1 << 16, '\0');
    for (int with_log = 0; with_log < 2; ++with_log) {
        union bpf_attr attr;
        std::memset(&attr, 0, sizeof attr);
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = reinterpret_cast<uint64_t>(program.data());
        attr.insn_cnt = static_cast<uint32_t>(program.size());
        attr.license = reinterpret_cast<uint64_t>(license);
        std::strncpy(attr.prog_name, "mogu_devices", sizeof attr.prog_name - 1);
        if (with_log) {
            attr.log_level = 1;
            attr.log_buf = reinterpret_cast<uint64_t>(log.data());
            attr.log_size = static_cast<uint32_t>(log.size());
        }
        long fd = bpf(BPF_PROG_LOAD, attr);
        if (fd >= 0) return UniqueFd(static_cast<int>(fd));
        int err = errno;
        // The verifier explains an EINVAL/EACCES in its log; other errors (EPERM) need no log.
        if (with_log || (err != EINVAL && err != EACCES))
            throw SysError(err, "load the devices eBPF program ({} instructions){}{}", program.size(), with_log ? ": " : "", log.c_str());
    }
    throw Error("unreachable");
}

void attach_device_filter(const std::string& cgroup_dir, int prog_fd) {
    UniqueFd cg = open_cgroup_dir(cgroup_dir);
    auto old = query(cg.get(), cgroup_dir);
    if (old.size() == 1) {
        UniqueFd old_fd = prog_fd_by_id(old[0]);
        if (old_fd && attach(cg.get(), prog_fd, BPF_F_ALLOW_MULTI | BPF_F_REPLACE, old_fd.get()) == 0) return;
    }
    if (attach(cg.get(), prog_fd, BPF_F_ALLOW_MULTI, 0) < 0) throw SysError(errno, "attach the devices eBPF program to {}", cgroup_dir);
    // Only now that the new program filters: the old ones go.
    for (uint32_t id : old) {
        UniqueFd fd = prog_fd_by_id(id);
        if (!fd) continue;  // detached meanwhile
        union bpf_attr attr;
        std::memset(&attr, 0, sizeof attr);
        attr.target_fd = static_cast<uint32_t>(cg.get());
        attr.attach_bpf_fd = static_cast<uint32_t>(fd.get());
        attr.attach_type = BPF_CGROUP_DEVICE;
        if (bpf(BPF_PROG_DETACH, attr) < 0 && errno != ENOENT)
            throw SysError(errno, "detach the old devices eBPF program {} from {}", id, cgroup_dir);
    }
}

std::vector<uint32_t> attached_device_filters(const std::string& cgroup_dir) {
    UniqueFd cg = open_cgroup_dir(cgroup_dir);
    return query(cg.get(), cgroup_dir);
}

}  // namespace mogu::cgroups
