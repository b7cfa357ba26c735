// The driver detect() picks, used for real as root, whatever the layout: hybrid on this host,
// pure v2 and pure v1 in the guests of tests/vm/suites/cgroups.sh. Limits are read back from the
// kernel's own files (v1 or v2 names), and the limits must bite: forks stop, a hog is OOM-killed,
// a frozen child makes no progress, a denied device cannot be opened, nothing is left behind.
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
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

using namespace mogu::cgroups;
using cgtest::Child;
using cgtest::read_trimmed;


namespace {

bool is_v2() { return detect()->layout() == Layout::v2; }

std::unique_ptr<Cgroup> create(const std::string& name) { return detect()->create(cgtest::test_path(name)); }

// The directory holding a controller's files: its v1 hierarchy, or the one v2 directory.
std::string dir_for(const Cgroup& cg, const std::string& v1_controller) {
    auto p = cg.paths();
    if (p.count(v1_controller)) return p[v1_controller];
    cr_assert(p.count("unified"), "no directory for %s", v1_controller.c_str());
    return p["unified"];
}

int sleep_forever() {
    for (;;) ::pause();
}

}  // namespace

TestSuite(host, .init = cgtest::require_root, .fini = cgtest::cleanup_test_cgroups);

Test(host, create_places_the_cgroup_and_destroy_removes_every_directory) {
    auto cg = create("c");
    auto paths = cg->paths();
    cr_assert(!paths.empty());
    for (auto& [c, dir] : paths) {
        cr_assert(cgtest::exists(dir), "%s missing", dir.c_str());
        cr_assert(::mkdir((dir + "/nested").c_str(), 0755) == 0 || errno == EEXIST);  // a sub-cgroup goes too
    }
    CHECK_STR(cg->path().path, cgtest::test_parent() + "/c");
    cg->release();
    cg->destroy();
    for (auto& d : cgtest::leftover_dirs()) cr_assert(d.find(cgtest::test_parent() + "/c") == std::string::npos, "%s left behind", d.c_str());
    cg->destroy();  // already gone is fine (delete --force after a crash)
}

Test(host, add_process_moves_the_child_into_every_hierarchy) {
    auto cg = create("c");
    Child child(sleep_forever);
    cg->add_process(child.pid());
    std::string want = ":" + cgtest::test_parent() + "/c";
    std::istringstream lines(cgtest::proc_cgroup(child.pid()));
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
        ++n;
        cr_assert(line.ends_with(want), "%s is not in %s", line.c_str(), want.c_str() + 1);
    }
    cr_assert_gt(n, 0);
    auto pids = cg->pids();
    cr_assert_eq(pids.size(), 1u);
    cr_assert_eq(pids[0], child.pid());
}

Test(host, apply_writes_limits_the_kernel_reads_back) {
    auto cg = create("c");
    mogu::oci::Resources r;
    r.memory.emplace();
    r.memory->limit = 64 << 20;
    r.memory->swap = 96 << 20;
    r.memory->reservation = 32 << 20;
    r.cpu.emplace();
    r.cpu->shares = 1024;
    r.cpu->quota = 50000;
    r.cpu->period = 100000;
    r.cpu->cpus = "0";
    r.pids_limit = 10;
    cg->apply(r);
    std::string mem = dir_for(*cg, "memory"), cpu = dir_for(*cg, "cpu"), cpuset = dir_for(*cg, "cpuset"), pids = dir_for(*cg, "pids");
    if (is_v2()) {
        CHECK_STR(read_trimmed(mem + "/memory.max"), std::to_string(64 << 20));
        if (cgtest::exists(mem + "/memory.swap.max")) CHECK_STR(read_trimmed(mem + "/memory.swap.max"), std::to_string(32 << 20));  // swap alone
        CHECK_STR(read_trimmed(mem + "/memory.low"), std::to_string(32 << 20));
        CHECK_STR(read_trimmed(cpu + "/cpu.weight"), "100");  // shares 1024, translated
        CHECK_STR(read_trimmed(cpu + "/cpu.max"), "50000 100000");
        CHECK_STR(read_trimmed(cpuset + "/cpuset.cpus"), "0");
    } else {
        CHECK_STR(read_trimmed(mem + "/memory.limit_in_bytes"), std::to_string(64 << 20));
        if (cgtest::exists(mem + "/memory.memsw.limit_in_bytes"))
            CHECK_STR(read_trimmed(mem + "/memory.memsw.limit_in_bytes"), std::to_string(96 << 20));  // memory+swap
        CHECK_STR(read_trimmed(mem + "/memory.soft_limit_in_bytes"), std::to_string(32 << 20));
        CHECK_STR(read_trimmed(cpu + "/cpu.shares"), "1024");
        CHECK_STR(read_trimmed(cpu + "/cpu.cfs_quota_us"), "50000");
        CHECK_STR(read_trimmed(cpu + "/cpu.cfs_period_us"), "100000");
        CHECK_STR(read_trimmed(cpuset + "/cpuset.cpus"), "0");
    }
    CHECK_STR(read_trimmed(pids + "/pids.max"), "10");

    // An update changes what it names and nothing else.
    mogu::oci::Resources u;
    u.memory.emplace();
    u.memory->limit = 16 << 20;
    u.pids_limit = -1;
    cg->apply(u);
    CHECK_STR(read_trimmed(mem + (is_v2() ? "/memory.max" : "/memory.limit_in_bytes")), std::to_string(16 << 20));
    CHECK_STR(read_trimmed(pids + "/pids.max"), "max");
    CHECK_STR(read_trimmed(mem + (is_v2() ? "/memory.low" : "/memory.soft_limit_in_bytes")), std::to_string(32 << 20));
    CHECK_STR(read_trimmed(cpu + (is_v2() ? "/cpu.max" : "/cpu.cfs_quota_us")), is_v2() ? "50000 100000" : "50000");
}

Test(host, pids_limit_stops_forks) {
    auto cg = create("c");
    mogu::oci::Resources r;
    r.pids_limit = 5;
    cg->apply(r);
    // The child counts how many of 20 forks succeed; with itself that makes at most 5 tasks.
    Child child([] {
        pid_t kids[20];
        int made = 0;
        for (int i = 0; i < 20; ++i) {
            pid_t p = ::fork();
            if (p == 0) {
                ::pause();
                ::_exit(0);
            }
            if (p > 0) kids[made++] = p;
        }
        for (int i = 0; i < made; ++i) {
            ::kill(kids[i], SIGKILL);
            ::waitpid(kids[i], nullptr, 0);
        }
        return made;
    });
    cg->add_process(child.pid());
    child.go();
    int st = child.wait();
    cr_assert(WIFEXITED(st));
    cr_assert_eq(WEXITSTATUS(st), 4, "forks that succeeded: %d", WEXITSTATUS(st));
    auto s = cg->stats();
    cr_assert_eq(s.pids.limit, 5u);
}

Test(host, a_memory_hog_is_oom_killed_and_stats_and_the_watcher_see_it) {
    auto cg = create("c");
    mogu::oci::Resources r;
    r.memory.emplace();
    r.memory->limit = 32 << 20;
    r.memory->swap = 32 << 20;  // memory+swap = memory: no swapping out of the OOM, with or without swap
    cg->apply(r);
    auto watcher = cg->watch_oom();
    cr_assert_eq(cg->stats().memory.oom_kill, 0u);

    Child hog([] {
        const size_t size = 512 << 20;
        auto* p = static_cast<volatile char*>(::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        if (p == MAP_FAILED) return 3;
        for (size_t i = 0; i < size; i += 4096) p[i] = 1;
        return 0;  // survived: the limit did not bite
    });
    cg->add_process(hog.pid());
    hog.go();
    int st = hog.wait();
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "hog was not OOM-killed (status %d)", st);

    pollfd p{watcher->fd(), POLLIN, 0};
    cr_assert_eq(::poll(&p, 1, 30000), 1, "OOM watcher fd did not become readable");
    cr_assert_geq(watcher->consume(), 1u);
    cr_assert(!watcher->cgroup_removed());

    auto s = cg->stats();
    cr_assert_geq(s.memory.oom_kill, 1u);
    cr_assert_geq(s.memory.oom_events, 1u);
    cr_assert_eq(s.memory.limit, static_cast<uint64_t>(32 << 20));
    if (!is_v2()) cr_assert_geq(s.memory.max_usage, static_cast<uint64_t>(30 << 20));
}

Test(host, the_oom_watcher_notices_the_cgroup_going_away) {
    auto cg = create("c");
    auto watcher = cg->watch_oom();
    cg->release();
    cg->destroy();
    pollfd p{watcher->fd(), POLLIN, 0};
    cr_assert_eq(::poll(&p, 1, 30000), 1, "the watcher did not wake up when the cgroup went");
    cr_assert_eq(watcher->consume(), 0u);
    cr_assert(watcher->cgroup_removed());
}

Test(host, freeze_stops_the_child_and_thaw_lets_it_run) {
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
    char state = cgtest::proc_state(spinner.pid());
    cr_assert(state == 'D' || state == 'S', "a frozen task shows state %c", state);
    uint64_t before = counter->load();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cr_assert_eq(counter->load(), before, "the frozen child kept counting");

    cg->freeze(FreezerState::thawed);
    cr_assert_eq(cg->freezer_state(), FreezerState::thawed);
    while (counter->load() == before) std::this_thread::yield();  // the deadline catches a child that stays stopped
    ::munmap(counter, 4096);
}

Test(host, stats_report_what_the_child_used) {
    auto cg = create("c");
    Child worker([] {
        const size_t size = 8 << 20;
        auto* buf = static_cast<volatile char*>(::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        if (buf == MAP_FAILED) return 3;
        for (size_t i = 0; i < size; i += 4096) buf[i] = 1;
        for (uint64_t i = 0;; ++i) asm volatile("" : : "r"(i));
        return 0;
    });
    cg->add_process(worker.pid());
    worker.go();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto s = cg->stats();
    cr_assert_gt(s.cpu.total_ns, 0u);
    cr_assert_gt(s.cpu.user_ns, 0u);
    if (!is_v2()) cr_assert_eq(s.cpu.percpu_ns.size(), static_cast<size_t>(::sysconf(_SC_NPROCESSORS_CONF)));
    cr_assert_geq(s.memory.usage, 8u << 20);
    cr_assert_gt(s.memory.raw.size(), 10u);
    cr_assert_eq(s.pids.current, 1u);
    cr_assert_eq(s.pids.limit, 0u);  // unlimited
}

Test(host, denied_devices_cannot_be_opened) {
    auto cg = create("c");
    mogu::oci::DeviceRule deny_all, zero;
    deny_all.allow = false;
    zero.allow = true;
    zero.type = 'c';
    zero.major = 1;
    zero.minor = 5;
    zero.access = "rw";
    mogu::oci::Resources r;
    r.devices = {deny_all, zero};
    cg->apply(r);
    if (!is_v2()) CHECK_STR(read_trimmed(dir_for(*cg, "devices") + "/devices.list"), "c 1:5 rw");
    Child probe([] {
        if (::open("/dev/null", O_RDONLY) >= 0 || errno != EPERM) return 10;
        int fd = ::open("/dev/zero", O_RDONLY);
        return fd >= 0 ? 0 : 11;
    });
    cg->add_process(probe.pid());
    probe.go();
    int st = probe.wait();
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "probe status %d", st);
}

Test(host, an_unreleased_create_removes_only_what_it_made) {
    // The parent exists already (made by hand) in every hierarchy: it must survive; the levels
    // create() made go, even with a process having been inside.
    std::vector<std::string> parents;
    for (auto& [c, dir] : detect()->open(cgtest::test_path("x"))->paths()) {
        std::string parent = dir.substr(0, dir.rfind('/'));
        if (::mkdir(parent.c_str(), 0755) == 0) parents.push_back(parent);
    }
    std::map<std::string, std::string> paths;
    {
        auto cg = create("made/leaf");
        paths = cg->paths();
        Child child(sleep_forever);
        cg->add_process(child.pid());
        // child is killed and reaped before cg unwinds, as in a failed create
    }
    for (auto& [c, dir] : paths) {
        cr_assert(!cgtest::exists(dir), "%s left behind", dir.c_str());
        cr_assert(!cgtest::exists(dir.substr(0, dir.rfind('/'))), "%s/.. left behind", dir.c_str());
    }
    for (auto& p : parents) cr_assert(cgtest::exists(p), "the pre-existing parent %s was removed", p.c_str());
}

Test(host, open_finds_a_created_cgroup_for_later_verbs) {
    {
        auto cg = create("c");
        cg->release();
    }
    auto cg = detect()->open(cgtest::test_path("c"));
    Child child(sleep_forever);
    cg->add_process(child.pid());
    cr_assert_eq(cg->pids().size(), 1u);
    cr_assert_eq(cg->stats().pids.current, 1u);
}
