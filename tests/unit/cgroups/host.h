// Helpers for the tests that use this host's real cgroups (as root). Each Criterion test runs in
// its own process; its cgroups live under /mogu-test-<pid> in every hierarchy, and
// cleanup_test_cgroups (the tests' .fini, run even after a failed assertion) kills what is left
// in there and removes the directories, without using the library under test.
#pragma once

#include "runtime/cgroups/cgroup.h"

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cgtest {

// "/mogu-test-<pid>", and a cgroup path below it.
std::string test_parent();
mogu::cgroups::CgroupPath test_path(const std::string& name);

// Skips the test (cr_skip_test) unless we are root on a host with the given hierarchies.
void require_root();
void require_root_hybrid();   // v1 memory, cpu, pids, freezer... plus cgroup2 at /sys/fs/cgroup/unified
void require_root_unified();  // a cgroup2 mount at /sys/fs/cgroup/unified or /sys/fs/cgroup
// A deadline for the test's process: SIGALRM kills it after `seconds` and Criterion reports a
// crash. (Criterion's own .timeout leaks in its runner when timed tests run in parallel, which
// fails the sanitizer build.) The require_* functions set it.
void deadline(unsigned seconds = 120);

// The cgroup2 mount point of this host ("/sys/fs/cgroup/unified" here).
std::string unified_mount();
// A Manager that sees only this host's cgroup2 mount: the pure v2 driver, exercised for real.
std::unique_ptr<mogu::cgroups::Manager> unified_only_manager();

void cleanup_test_cgroups();
// Criterion runs no .fini after cr_skip_test: a test that skips after making cgroups cleans first.
#define CG_SKIP(...)                       \
    do {                                   \
        cgtest::cleanup_test_cgroups();    \
        cr_skip_test(__VA_ARGS__);         \
    } while (0)

// Every cgroup directory (any hierarchy, any depth) whose path contains test_parent().
std::vector<std::string> leftover_dirs();

// A forked child that waits until go() before running `body`, then _exits with its result.
class Child {
public:
    explicit Child(std::function<int()> body);
    ~Child();  // SIGKILL and reap if still running
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    pid_t pid() const { return pid_; }
    void go();
    int wait();  // the raw waitpid status
private:
    pid_t pid_ = -1;
    int go_fd_ = -1;
    bool reaped_ = false;
};

// The state letter of /proc/<pid>/stat ('R', 'S', 'D', ...).
char proc_state(pid_t pid);
// The lines of /proc/<pid>/cgroup.
std::string proc_cgroup(pid_t pid);
std::string read_trimmed(const std::string& path);
bool exists(const std::string& path);

}  // namespace cgtest
