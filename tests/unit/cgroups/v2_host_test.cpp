// The pure cgroup v2 driver, driven for real against this host's cgroup2 mount
// (/sys/fs/cgroup/unified, which holds only hugetlb here): creation, membership, cgroup.freeze,
// the eBPF device filter through apply(), hugetlb, core cpu statistics, removal. Memory, cpu,
// pids and io on v2 need a pure-v2 kernel (tests/vm).
#include "common/error.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/device_filter_bpf.h"
#include "tests/unit/cgroups/check.h"
#include "tests/unit/cgroups/host.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <chrono>
#include <thread>

using namespace mogu::cgroups;

using cgtest::Child;
using cgtest::read_trimmed;

namespace {

std::unique_ptr<Cgroup> create(const std::string& name) {
    auto m = cgtest::unified_only_manager();
    cr_assert_eq(m->layout(), Layout::v2);
    return m->create(cgtest::test_path(name));
}

std::string dir_of(const Cgroup& cg) { return cg.paths().at("unified"); }

int sleep_forever() {
    for (;;) ::pause();
}

mogu::oci::DeviceRule device(bool allow, char type, std::optional<int64_t> major, std::optional<int64_t> minor) {
    mogu::oci::DeviceRule r;
    r.allow = allow;
    r.type = type;
    r.major = major;
    r.minor = minor;
    return r;
}

int run_probe(Cgroup& cg, int (*probe)()) {
    Child child(probe);
    cg.add_process(child.pid());
    child.go();
    int st = child.wait();
    cr_assert(WIFEXITED(st), "probe died: %d", st);
    return WEXITSTATUS(st);
}

}  // namespace

TestSuite(v2_host, .init = cgtest::require_root_unified, .fini = cgtest::cleanup_test_cgroups);

Test(v2_host, create_join_list_and_destroy) {
    auto cg = create("c");
    std::string dir = dir_of(*cg);
    CHECK_STR(dir, cgtest::unified_mount() + cgtest::test_parent() + "/c");
    cr_assert_eq(cg->paths().size(), 1u);
    cr_assert(cgtest::exists(dir + "/cgroup.procs"));
    Child child(sleep_forever);
    cg->add_process(child.pid());
    std::string lines = cgtest::proc_cgroup(child.pid());
    cr_assert(lines.find("0::" + cgtest::test_parent() + "/c\n") != std::string::npos, "%s", lines.c_str());
    // A nested cgroup's processes count too.
    cr_assert_eq(::mkdir((dir + "/nested").c_str(), 0755), 0);
    Child nested(sleep_forever);
    std::ofstream(dir + "/nested/cgroup.procs") << nested.pid() << std::flush;
    auto pids = cg->pids();
    cr_assert_eq(pids.size(), 2u);
    try {
        cg->destroy();
        cr_assert_fail("destroy succeeded with processes inside");
    } catch (const mogu::SysError& e) {
        cr_assert_eq(e.code(), EBUSY, "%s", e.what());
    }
    ::kill(child.pid(), SIGKILL);
    ::kill(nested.pid(), SIGKILL);
    child.wait();
    nested.wait();
    cg->release();
    cg->destroy();
    cr_assert(!cgtest::exists(dir));
}

Test(v2_host, freeze_uses_cgroup_freeze_and_really_stops_the_child) {
    auto cg = create("c");
    auto* counter = static_cast<std::atomic<uint64_t>*>(::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    cr_assert(counter != MAP_FAILED);
    Child spinner([counter] {
        for (;;) counter->fetch_add(1, std::memory_order_relaxed);
        return 0;
    });
    cg->add_process(spinner.pid());
    spinner.go();
    while (counter->load() == 0) std::this_thread::yield();

    cg->freeze(FreezerState::frozen);
    cr_assert_eq(cg->freezer_state(), FreezerState::frozen);
    CHECK_STR(read_trimmed(dir_of(*cg) + "/cgroup.freeze"), "1");
    char state = cgtest::proc_state(spinner.pid());
    cr_assert(state == 'S' || state == 'D', "a frozen task shows state %c", state);
    uint64_t before = counter->load();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cr_assert_eq(counter->load(), before, "the frozen child kept counting");

    cg->freeze(FreezerState::thawed);
    cr_assert_eq(cg->freezer_state(), FreezerState::thawed);
    while (counter->load() == before) std::this_thread::yield();
    ::munmap(counter, 4096);
}

Test(v2_host, device_rules_become_an_ebpf_filter_that_an_update_replaces) {
    auto cg = create("c");
    mogu::oci::Resources r;
    r.devices = {device(false, 'a', {}, {}), device(true, 'c', 1, 5)};
    cg->apply(r);
    cr_assert_eq(attached_device_filters(dir_of(*cg)).size(), 1u);
    int rc = run_probe(*cg, [] {
        if (::open("/dev/null", O_RDONLY) >= 0 || errno != EPERM) return 10;
        return ::open("/dev/zero", O_RDONLY) >= 0 ? 0 : 11;
    });
    cr_assert_eq(rc, 0);

    mogu::oci::Resources u;
    u.devices = {device(false, 'a', {}, {}), device(true, 'c', 1, 3)};
    cg->apply(u);
    cr_assert_eq(attached_device_filters(dir_of(*cg)).size(), 1u, "the old program was not replaced");
    rc = run_probe(*cg, [] {
        if (::open("/dev/zero", O_RDONLY) >= 0 || errno != EPERM) return 12;
        return ::open("/dev/null", O_RDONLY) >= 0 ? 0 : 13;
    });
    cr_assert_eq(rc, 0);

    // An update without devices leaves the filter alone.
    mogu::oci::Resources none;
    cg->apply(none);
    cr_assert_eq(attached_device_filters(dir_of(*cg)).size(), 1u);
}

Test(v2_host, hugetlb_limit_is_written_to_the_v2_file) {
    auto cg = create("c");
    std::string dir = dir_of(*cg);
    if (!cgtest::exists(dir + "/hugetlb.2MB.max")) CG_SKIP("hugetlb with 2MB pages is not on this cgroup2 mount");
    mogu::oci::Resources r;
    r.hugepage_limits.push_back({"2MB", 8 << 21});
    cg->apply(r);
    CHECK_STR(read_trimmed(dir + "/hugetlb.2MB.max"), std::to_string(8 << 21));
    if (cgtest::exists(dir + "/hugetlb.2MB.rsvd.max")) CHECK_STR(read_trimmed(dir + "/hugetlb.2MB.rsvd.max"), std::to_string(8 << 21));
    auto s = cg->stats();
    cr_assert(s.hugetlb.count("2MB"));
    cr_assert_eq(s.hugetlb["2MB"].usage, 0u);
}

Test(v2_host, stats_carry_core_cpu_usage) {
    auto cg = create("c");
    Child worker([] {
        for (uint64_t i = 0;; ++i) asm volatile("" : : "r"(i));
        return 0;
    });
    cg->add_process(worker.pid());
    worker.go();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto s = cg->stats();
    cr_assert_gt(s.cpu.total_ns, 0u);
    cr_assert_gt(s.cpu.user_ns, 0u);
}

Test(v2_host, a_controller_the_hierarchy_lacks_is_refused_by_field) {
    auto cg = create("c");
    std::string controllers = read_trimmed(cgtest::unified_mount() + "/cgroup.controllers");
    if (controllers.find("memory") != std::string::npos) CG_SKIP("this cgroup2 mount has the memory controller");
    mogu::oci::Resources r;
    r.memory.emplace();
    r.memory->limit = 1 << 30;
    try {
        cg->apply(r);
        cr_assert_fail("memory limit accepted without a memory controller");
    } catch (const mogu::SpecError& e) {
        CHECK_STR(e.path(), "linux.resources.memory");
    }
    cr_assert_throw(cg->watch_oom(), mogu::Error);
}

Test(v2_host, unified_keys_are_validated_before_anything_is_written) {
    auto cg = create("c");
    std::string dir = dir_of(*cg);
    auto expect = [&](const std::string& key, const std::string& field) {
        mogu::oci::Resources r;
        r.unified["cgroup.max.descendants"] = "5";  // a valid key beside the bad one
        r.unified[key] = "1";
        try {
            cg->apply(r);
            cr_assert_fail("unified key %s accepted", key.c_str());
        } catch (const mogu::SpecError& e) {
            CHECK_STR(e.path(), field);
        }
        CHECK_STR(read_trimmed(dir + "/cgroup.max.descendants"), "max");
    };
    expect("cgroup.procs", "linux.resources.unified.cgroup.procs");
    expect("cgroup.kill", "linux.resources.unified.cgroup.kill");
    expect("../../cgroup.procs", "linux.resources.unified.../../cgroup.procs");
    expect("nodot", "linux.resources.unified.nodot");
    expect("nosuchctl.max", "linux.resources.unified.nosuchctl.max");

    mogu::oci::Resources ok;
    ok.unified["cgroup.max.descendants"] = "5";
    cg->apply(ok);
    CHECK_STR(read_trimmed(dir + "/cgroup.max.descendants"), "5");
}

Test(v2_host, realtime_limits_are_refused_on_v2) {
    // The v2 driver refuses realtime even where cpu is enabled; here cpu is absent, so the
    // controller check speaks first. Either way the field is named.
    auto cg = create("c");
    mogu::oci::Resources r;
    r.cpu.emplace();
    r.cpu->realtime_runtime = 1000;
    try {
        cg->apply(r);
        cr_assert_fail("realtime accepted on v2");
    } catch (const mogu::SpecError& e) {
        cr_assert(e.path().starts_with("linux.resources.cpu"), "%s", e.what());
    }
}
