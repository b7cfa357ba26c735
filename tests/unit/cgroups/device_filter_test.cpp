// The eBPF device filter: the instruction sequence, its meaning (run through a small interpreter
// and compared with v1's rules), and, as root, the real thing loaded into this kernel, attached
// to a cgroup v2 directory, and enforced on a child.
#include "common/error.h"
#include "runtime/cgroups/device_filter_bpf.h"
#include "tests/unit/cgroups/host.h"

#include "tests/unit/cgroups/check.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

using namespace mogu::cgroups;
using mogu::oci::DeviceRule;

namespace {

DeviceRule rule(bool allow, char type, std::optional<int64_t> major, std::optional<int64_t> minor, const char* access) {
    DeviceRule r;
    r.allow = allow;
    r.type = type;
    r.major = major;
    r.minor = minor;
    r.access = access;
    return r;
}

// Runs the subset of eBPF the filter uses; anything else fails the test.
int run(const std::vector<bpf_insn>& prog, uint32_t access_type, uint32_t major, uint32_t minor) {
    uint64_t r[11] = {};
    const uint32_t ctx[3] = {access_type, major, minor};
    for (size_t pc = 0; pc < prog.size(); ++pc) {
        const bpf_insn& i = prog[pc];
        uint8_t cls = BPF_CLASS(i.code);
        if (i.code == (BPF_LDX | BPF_MEM | BPF_W)) {
            cr_assert(i.src_reg == 1 && i.off >= 0 && i.off <= 8 && i.off % 4 == 0, "bad load at %zu", pc);
            r[i.dst_reg] = ctx[i.off / 4];
        } else if (cls == BPF_ALU) {
            uint32_t src = BPF_SRC(i.code) == BPF_X ? static_cast<uint32_t>(r[i.src_reg]) : static_cast<uint32_t>(i.imm);
            uint32_t dst = static_cast<uint32_t>(r[i.dst_reg]);
            switch (BPF_OP(i.code)) {
                case BPF_AND: dst &= src; break;
                case BPF_RSH: dst >>= src; break;
                case BPF_MOV: dst = src; break;
                default: cr_assert_fail("unexpected ALU op %#x at %zu", i.code, pc);
            }
            r[i.dst_reg] = dst;  // ALU32 zero-extends
        } else if (cls == BPF_JMP32) {
            uint32_t a = static_cast<uint32_t>(r[i.dst_reg]);
            uint32_t b = BPF_SRC(i.code) == BPF_X ? static_cast<uint32_t>(r[i.src_reg]) : static_cast<uint32_t>(i.imm);
            bool taken = false;
            switch (BPF_OP(i.code)) {
                case BPF_JNE: taken = a != b; break;
                case BPF_JEQ: taken = a == b; break;
                default: cr_assert_fail("unexpected jump %#x at %zu", i.code, pc);
            }
            if (taken) {
                cr_assert(i.off >= 0, "backward jump at %zu", pc);
                pc += static_cast<size_t>(i.off);
            }
        } else if (i.code == (BPF_JMP | BPF_EXIT)) {
            return static_cast<int>(r[0]);
        } else {
            cr_assert_fail("unexpected instruction %#x at %zu", i.code, pc);
        }
    }
    cr_assert_fail("fell off the end of the program");
    return -1;
}

// The v1 devices cgroup's own decision (security/device_cgroup.c: match_exception and
// match_exception_partial).
bool v1_permits(const DeviceState& s, char type, uint32_t major, uint32_t minor, uint8_t access) {
    for (auto& [k, a] : s.exceptions) {
        if (k.type != type) continue;
        if (k.major >= 0 && static_cast<uint32_t>(k.major) != major) continue;
        if (k.minor >= 0 && static_cast<uint32_t>(k.minor) != minor) continue;
        if (s.default_allow && (access & a)) return false;
        if (!s.default_allow && !(access & ~a)) return true;
    }
    return s.default_allow;
}

void check_equivalent(const std::vector<DeviceRule>& rules) {
    auto state = device_state_of(rules);
    auto prog = device_filter_program(state);
    for (char type : {'c', 'b'})
        for (uint32_t major : {0u, 1u, 5u, 136u, 4095u, 3000000000u})
            for (uint32_t minor : {0u, 3u, 5u, 9u, 3000000000u})
                for (uint8_t access = 1; access <= 7; ++access) {
                    uint32_t ctx_type = type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
                    int got = run(prog, ctx_type | (static_cast<uint32_t>(access) << 16), major, minor);
                    bool want = v1_permits(state, type, major, minor, access);
                    cr_assert_eq(got, want ? 1 : 0, "%c %u:%u access %u: program says %d, v1 says %d", type, major, minor, access, got, want);
                }
}

const std::nullopt_t any = std::nullopt;

}  // namespace

Test(device_filter, program_shape_prologue_blocks_and_default) {
    auto state = device_state_of({rule(false, 'a', any, any, "rwm"), rule(true, 'c', 1, 3, "rwm"), rule(true, 'c', 1, 5, "rw")});
    auto p = device_filter_program(state);
    // 6 prologue loads/shifts, a 5-instruction block for rwm on 1:3 (type, major, minor, verdict),
    // an 8-instruction block for rw on 1:5 (with the access check), then the default verdict.
    cr_assert_eq(p.size(), 6u + 5u + 8u + 2u);
    cr_assert_eq(p[0].code, BPF_LDX | BPF_MEM | BPF_W);
    cr_assert_eq(p[1].code, BPF_ALU | BPF_AND | BPF_K);
    cr_assert_eq(p[1].imm, 0xffff);
    cr_assert_eq(p[3].code, BPF_ALU | BPF_RSH | BPF_K);
    cr_assert_eq(p[3].imm, 16);
    cr_assert_eq(p[4].off, 4);
    cr_assert_eq(p[5].off, 8);
    // Every conditional jump lands on the first instruction of the next block.
    const size_t block_ends[] = {11, 19};
    for (size_t pc = 6; pc < 11; ++pc)
        if (BPF_CLASS(p[pc].code) == BPF_JMP32) cr_assert_eq(pc + 1 + p[pc].off, block_ends[0], "jump at %zu", pc);
    for (size_t pc = 11; pc < 19; ++pc)
        if (BPF_CLASS(p[pc].code) == BPF_JMP32) cr_assert_eq(pc + 1 + p[pc].off, block_ends[1], "jump at %zu", pc);
    cr_assert_eq(p[9].imm, 1);  // the allow verdict of block one
    cr_assert_eq(p[10].code, BPF_JMP | BPF_EXIT);
    cr_assert_eq(p[19].code, BPF_ALU | BPF_MOV | BPF_K);
    cr_assert_eq(p[19].imm, 0);  // default: deny
    cr_assert_eq(p[20].code, BPF_JMP | BPF_EXIT);
}

Test(device_filter, allow_all_is_two_instructions_after_the_prologue) {
    auto p = device_filter_program(device_state_of({rule(true, 'a', any, any, "rwm")}));
    cr_assert_eq(p.size(), 8u);
    cr_assert_eq(p[6].imm, 1);
}

Test(device_filter, program_decides_as_v1_would) {
    check_equivalent({});
    check_equivalent({rule(true, 'a', any, any, "rwm")});
    check_equivalent({rule(false, 'a', any, any, "rwm"), rule(true, 'c', 1, 3, "rwm"), rule(true, 'c', 1, 5, "rw"), rule(true, 'c', 136, any, "rwm"),
                      rule(true, 'b', any, any, "m"), rule(true, 'c', any, 9, "r"), rule(true, 'c', 4095, 3000000000, "w")});
    check_equivalent({rule(true, 'a', any, any, "rwm"), rule(false, 'c', 1, 3, "w"), rule(false, 'b', 5, any, "rwm"), rule(false, 'c', any, 0, "m")});
}

// --- on this host's kernel

namespace {

// 0: /dev/null refused with EPERM and /dev/zero allowed; other values say what went wrong.
int probe_null_denied_zero_allowed() {
    int fd = ::open("/dev/null", O_RDONLY);
    if (fd >= 0) return 10;
    if (errno != EPERM) return 11;
    fd = ::open("/dev/zero", O_RDONLY);
    if (fd < 0) return 12;
    ::close(fd);
    return 0;
}

int probe_null_allowed() {
    int fd = ::open("/dev/null", O_WRONLY);
    if (fd < 0) return 20;
    ::close(fd);
    return 0;
}

void run_child_in(const std::string& dir, int (*probe)(), int expect) {
    cgtest::Child child(probe);
    std::ofstream(dir + "/cgroup.procs") << child.pid() << std::flush;
    cr_assert(cgtest::proc_cgroup(child.pid()).find(cgtest::test_parent()) != std::string::npos, "child not moved");
    child.go();
    int st = child.wait();
    cr_assert(WIFEXITED(st), "child died: status %d", st);
    cr_assert_eq(WEXITSTATUS(st), expect, "probe exited %d", WEXITSTATUS(st));
}

}  // namespace

Test(device_filter, kernel_loads_every_shape_of_program, .init = cgtest::require_root_unified) {
    for (auto& rules : std::vector<std::vector<DeviceRule>>{
             {},
             {rule(true, 'a', any, any, "rwm")},
             {rule(true, 'c', 1, 3, "rw"), rule(true, 'b', any, any, "m"), rule(true, 'c', 4095, 3000000000, "w")},
             {rule(true, 'a', any, any, "rwm"), rule(false, 'c', 1, 3, "w"), rule(false, 'c', any, 0, "m")},
         }) {
        auto fd = load_device_filter(device_filter_program(device_state_of(rules)));
        cr_assert(fd.get() >= 0);
    }
}

Test(device_filter, deny_rule_stops_a_child_opening_dev_null, .init = cgtest::require_root_unified, .fini = cgtest::cleanup_test_cgroups) {
    std::string parent = cgtest::unified_mount() + cgtest::test_parent();
    std::string dir = parent + "/dev";
    cr_assert_eq(::mkdir(parent.c_str(), 0755), 0);
    cr_assert_eq(::mkdir(dir.c_str(), 0755), 0);

    auto deny_null = device_state_of({rule(false, 'a', any, any, "rwm"), rule(true, 'c', 1, 5, "rwm")});
    auto prog = load_device_filter(device_filter_program(deny_null));
    attach_device_filter(dir, prog.get());
    cr_assert_eq(attached_device_filters(dir).size(), 1u);
    run_child_in(dir, probe_null_denied_zero_allowed, 0);

    // An update replaces the program: one filter stays attached, and the new one rules.
    auto allow_all = load_device_filter(device_filter_program(device_state_of({rule(true, 'a', any, any, "rwm")})));
    attach_device_filter(dir, allow_all.get());
    cr_assert_eq(attached_device_filters(dir).size(), 1u);
    run_child_in(dir, probe_null_allowed, 0);
}
