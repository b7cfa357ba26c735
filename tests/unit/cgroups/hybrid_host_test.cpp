// What is particular to this host's hybrid layout (v1 controllers plus cgroup2 at
// /sys/fs/cgroup/unified) and to v1 files: the split between the two halves, hugetlb on the
// unified side, v1's memory+swap ordering, cpuset inheritance, blkio. The behaviour every layout
// shares is in host_test.cpp.
#include "common/error.h"
#include "runtime/cgroups/cgroup.h"
#include "tests/unit/cgroups/check.h"
#include "tests/unit/cgroups/host.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <chrono>
#include <fstream>
#include <thread>

using namespace mogu::cgroups;

using cgtest::Child;
using cgtest::read_trimmed;

namespace {

void setup() { cgtest::require_root_hybrid(); }

std::unique_ptr<Cgroup> create(const std::string& name) {
    auto m = detect();
    cr_assert_eq(m->layout(), Layout::hybrid, "this host should be hybrid, detected %s", layout_name(m->layout()));
    return m->create(cgtest::test_path(name));
}

std::string file(const Cgroup& cg, const std::string& controller, const std::string& name) {
    auto p = cg.paths();
    cr_assert(p.count(controller), "no %s path", controller.c_str());
    return read_trimmed(p[controller] + "/" + name);
}

int sleep_forever() {
    for (;;) ::pause();
}

}  // namespace

TestSuite(hybrid_host, .init = setup, .fini = cgtest::cleanup_test_cgroups);

Test(hybrid_host, create_makes_the_cgroup_in_every_hierarchy_and_destroy_removes_it) {
    auto cg = create("c");
    auto paths = cg->paths();
    for (const char* c : {"memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "devices", "blkio", "name=systemd", "unified"}) {
        cr_assert(paths.count(c), "no path for %s", c);
        cr_assert(cgtest::exists(paths[c]), "%s missing", paths[c].c_str());
    }
    CHECK_STR(paths["unified"], "/sys/fs/cgroup/unified" + cgtest::test_parent() + "/c");
    CHECK_STR(cg->path().path, cgtest::test_parent() + "/c");
    cg->release();
    cg->destroy();
    for (auto& [c, dir] : paths) cr_assert(!cgtest::exists(dir), "%s still there after destroy", dir.c_str());
}

Test(hybrid_host, apply_writes_memory_cpu_and_pids_limits) {
    auto cg = create("c");
    mogu::oci::Resources r;
    r.memory.emplace();
    r.memory->limit = 64 << 20;
    r.memory->swap = 96 << 20;
    r.memory->reservation = 32 << 20;
    r.memory->swappiness = 10;
    r.cpu.emplace();
    r.cpu->shares = 512;
    r.cpu->quota = 50000;
    r.cpu->period = 100000;
    r.cpu->cpus = "0";
    r.cpu->mems = "0";
    r.pids_limit = 10;
    cg->apply(r);
    CHECK_STR(file(*cg, "memory", "memory.limit_in_bytes"), std::to_string(64 << 20));
    CHECK_STR(file(*cg, "memory", "memory.memsw.limit_in_bytes"), std::to_string(96 << 20));
    CHECK_STR(file(*cg, "memory", "memory.soft_limit_in_bytes"), std::to_string(32 << 20));
    CHECK_STR(file(*cg, "memory", "memory.swappiness"), "10");
    CHECK_STR(file(*cg, "cpu", "cpu.shares"), "512");
    CHECK_STR(file(*cg, "cpu", "cpu.cfs_quota_us"), "50000");
    CHECK_STR(file(*cg, "cpu", "cpu.cfs_period_us"), "100000");
    CHECK_STR(file(*cg, "cpuset", "cpuset.cpus"), "0");
    CHECK_STR(file(*cg, "pids", "pids.max"), "10");

    // An update changes what it names and nothing else; shrinking memory below memory+swap works
    // in either order.
    mogu::oci::Resources u;
    u.memory.emplace();
    u.memory->limit = 16 << 20;
    u.memory->swap = 16 << 20;
    u.pids_limit = -1;
    cg->apply(u);
    CHECK_STR(file(*cg, "memory", "memory.limit_in_bytes"), std::to_string(16 << 20));
    CHECK_STR(file(*cg, "memory", "memory.memsw.limit_in_bytes"), std::to_string(16 << 20));
    CHECK_STR(file(*cg, "pids", "pids.max"), "max");
    CHECK_STR(file(*cg, "cpu", "cpu.shares"), "512");
    CHECK_STR(file(*cg, "memory", "memory.soft_limit_in_bytes"), std::to_string(32 << 20));
}

Test(hybrid_host, cpuset_of_a_new_cgroup_is_inherited_so_processes_can_join) {
    auto cg = create("a/b/c");
    std::string host_cpus = read_trimmed("/sys/fs/cgroup/cpuset/cpuset.cpus");
    CHECK_STR(file(*cg, "cpuset", "cpuset.cpus"), host_cpus);
    CHECK_STR(file(*cg, "cpuset", "cpuset.mems"), read_trimmed("/sys/fs/cgroup/cpuset/cpuset.mems"));
    Child child(sleep_forever);
    cg->add_process(child.pid());  // ENOSPC if cpus/mems were empty
}

Test(hybrid_host, a_failed_write_names_file_value_and_errno) {
    auto cg = create("c");
    mogu::oci::Resources r;
    r.cpu.emplace();
    r.cpu->cpus = "4095";
    try {
        cg->apply(r);
        cr_assert_fail("cpu 4095 accepted");
    } catch (const mogu::SysError& e) {
        CHECK_STR(e.what(), "write \"4095\" to " + cg->paths()["cpuset"] + "/cpuset.cpus: Numerical result out of range");
        cr_assert_eq(e.code(), ERANGE);
    }
}

Test(hybrid_host, shares_out_of_range_are_refused_not_clamped) {
    auto cg = create("c");
    mogu::oci::Resources r;
    r.cpu.emplace();
    r.cpu->shares = 1;
    try {
        cg->apply(r);
        cr_assert_fail("shares 1 accepted");
    } catch (const mogu::SpecError& e) {
        CHECK_STR(e.path(), "linux.resources.cpu.shares");
    }
}

Test(hybrid_host, controllers_this_host_lacks_are_refused_before_any_write) {
    auto cg = create("c");
    mogu::oci::Resources r;
    r.pids_limit = 7;
    r.network.emplace();
    r.network->class_id = 0x100001;
    try {
        cg->apply(r);
        cr_assert_fail("net_cls accepted on a host without it");
    } catch (const mogu::SpecError& e) {
        CHECK_STR(e.path(), "linux.resources.network.classID");
    }
    CHECK_STR(file(*cg, "pids", "pids.max"), "max");  // nothing written

    // A part only the v2 half can judge stops the v1 half from writing too.
    mogu::oci::Resources u;
    u.pids_limit = 9;
    u.unified["memory.max"] = "1000000";  // memory is a v1 controller here
    try {
        cg->apply(u);
        cr_assert_fail("unified memory.max accepted while memory is on v1");
    } catch (const mogu::SpecError& e) {
        CHECK_STR(e.path(), "linux.resources.unified.memory.max");
    }
    CHECK_STR(file(*cg, "pids", "pids.max"), "max");
}

Test(hybrid_host, hugetlb_goes_to_the_unified_hierarchy) {
    auto cg = create("c");
    std::string dir = cg->paths()["unified"];
    if (!cgtest::exists(dir + "/hugetlb.2MB.max")) CG_SKIP("hugetlb is not enabled for %s (no 2MB pages or hugetlb on v1)", dir.c_str());
    mogu::oci::Resources r;
    r.hugepage_limits.push_back({"2MB", 4 << 21});
    cg->apply(r);
    CHECK_STR(read_trimmed(dir + "/hugetlb.2MB.max"), std::to_string(4 << 21));

    mogu::oci::Resources u;
    u.unified["hugetlb.2MB.max"] = std::to_string(2 << 21);
    cg->apply(u);
    CHECK_STR(read_trimmed(dir + "/hugetlb.2MB.max"), std::to_string(2 << 21));

    mogu::oci::Resources bad;
    bad.hugepage_limits.push_back({"3MB", 1});
    try {
        cg->apply(bad);
        cr_assert_fail("3MB pages accepted");
    } catch (const mogu::SpecError& e) {
        CHECK_STR(e.path(), "linux.resources.hugepageLimits[0].pageSize");
    }
}

Test(hybrid_host, blkio_throttle_is_written_and_io_is_counted) {
    // The device / lives on; this kernel counts v1 blkio only for devices with a throttle rule.
    struct stat st;
    cr_assert_eq(::stat("/var/tmp", &st), 0);
    unsigned maj = major(st.st_dev), min = minor(st.st_dev);
    if (!cgtest::exists(fmt::format("/sys/dev/block/{}:{}", maj, min)) || cgtest::exists(fmt::format("/sys/dev/block/{}:{}/partition", maj, min)))
        CG_SKIP("/var/tmp is not on a whole block disk (device %u:%u)", maj, min);
    auto cg = create("c");
    mogu::oci::Resources r;
    r.block_io.emplace();
    r.block_io->throttle_write_bps.push_back({static_cast<int64_t>(maj), static_cast<int64_t>(min), 1000000000});
    r.block_io->throttle_read_iops.push_back({static_cast<int64_t>(maj), static_cast<int64_t>(min), 100000});
    cg->apply(r);
    CHECK_STR(file(*cg, "blkio", "blkio.throttle.write_bps_device"), fmt::format("{}:{} 1000000000", maj, min));
    CHECK_STR(file(*cg, "blkio", "blkio.throttle.read_iops_device"), fmt::format("{}:{} 100000", maj, min));

    std::string path = "/var/tmp/mogu-cgroups-io-" + std::to_string(::getpid());
    Child writer([path] {
        int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_DIRECT | O_CLOEXEC, 0600);
        if (fd < 0) return 3;
        void* buf = nullptr;
        if (::posix_memalign(&buf, 4096, 1 << 20) != 0) return 4;
        std::memset(buf, 'x', 1 << 20);
        int rc = (::write(fd, buf, 1 << 20) == 1 << 20 && ::write(fd, buf, 1 << 20) == 1 << 20 && ::fsync(fd) == 0) ? 0 : 5;
        ::close(fd);
        ::unlink(path.c_str());
        return rc;
    });
    cg->add_process(writer.pid());
    writer.go();
    int ws = writer.wait();
    ::unlink(path.c_str());
    cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "writer status %d", ws);

    auto s = cg->stats();
    uint64_t written = 0, writes = 0;
    for (auto& e : s.blkio.io_service_bytes)
        if (e.major == maj && e.minor == min && e.op == "Write") written = e.value;
    for (auto& e : s.blkio.io_serviced)
        if (e.major == maj && e.minor == min && e.op == "Write") writes = e.value;
    cr_assert_geq(written, 2u << 20, "bytes written seen by blkio: %lu", written);
    cr_assert_geq(writes, 1u);
}

Test(hybrid_host, blkio_weight_goes_to_bfq_or_is_refused_by_field) {
    auto cg = create("c");
    std::string dir = cg->paths()["blkio"];
    mogu::oci::Resources r;
    r.block_io.emplace();
    r.block_io->weight = 500;
    if (cgtest::exists(dir + "/blkio.bfq.weight")) {
        cg->apply(r);
        CHECK_STR(read_trimmed(dir + "/blkio.bfq.weight"), "500");
        return;
    }
    if (cgtest::exists(dir + "/blkio.weight")) CG_SKIP("this host has CFQ's blkio.weight (kernel < 5.0)");
    try {
        cg->apply(r);
        cr_assert_fail("weight accepted without a weight file");
    } catch (const mogu::SpecError& e) {
        CHECK_STR(e.path(), "linux.resources.blockIO.weight");
    }
}
