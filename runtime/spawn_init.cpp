#include "runtime/spawn_init.h"

#include "common/error.h"
#include "runtime/child_process.h"
#include "runtime/clone_into_cgroup.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace mogu::runtime {
namespace {

using NS = oci::NamespaceType;

bool needs_first_stage(const NamespacePlan& ns) {
    for (const auto& j : ns.join)
        if (j.type == NS::user || j.type == NS::pid || j.type == NS::time) return true;
    return false;
}

// What the first stage reports: the init's pid, or the errno and index of the join that failed.
struct StageReport {
    pid_t pid;
    int err;
    int join_index;
};

}  // namespace

SpawnedInit spawn_init(InitPlan& plan, int parent_only_fd) {
    const NamespacePlan& ns = *plan.namespaces;
    if (!needs_first_stage(ns)) {
        UniqueFd cgroup_dir = plan.cgroup ? open_cgroup_dir(plan.cgroup->v2_dir()) : UniqueFd();
        bool in_v2 = false;
        pid_t pid = clone_into_cgroup(ns.clone_flags, cgroup_dir.get(), in_v2);
        if (pid == 0) {
            ::close(parent_only_fd);
            run_container_init(plan);
        }
        return {pid, in_v2};
    }

    int p[2];
    check(::pipe2(p, O_CLOEXEC), "pipe for the namespace-joining stage");
    UniqueFd report_r(p[0]), report_w(p[1]);
    pid_t stage = ::fork();
    if (stage < 0) throw SysError(errno, "fork the namespace-joining stage");
    if (stage == 0) {
        ::close(parent_only_fd);
        report_r.reset();
        // Nothing in the joined pid namespace may reach the runtime's binary (CVE-2019-5736).
        ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        StageReport r{-1, 0, -1};
        for (size_t i = 0; i < ns.join.size(); ++i) {
            if (::setns(ns.join[i].fd.get(), oci::namespace_clone_flag(ns.join[i].type)) < 0) {
                r.err = errno;
                r.join_index = static_cast<int>(i);
                break;
            }
        }
        if (r.err == 0) {
            plan.namespaces_joined = true;
            long pid = ::syscall(SYS_clone, static_cast<unsigned long>(ns.clone_flags) | CLONE_PARENT | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
            if (pid == 0) run_container_init(plan);
            if (pid < 0) r.err = errno;
            r.pid = static_cast<pid_t>(pid);
        }
        ssize_t ignored = ::write(report_w.get(), &r, sizeof r);
        (void)ignored;
        ::_exit(0);
    }
    report_w.reset();
    StageReport r{-1, EPIPE, -1};
    ssize_t n;
    do n = ::read(report_r.get(), &r, sizeof r);
    while (n < 0 && errno == EINTR);
    while (::waitpid(stage, nullptr, 0) < 0 && errno == EINTR) {
    }
    if (n != sizeof r) throw Error("the namespace-joining stage died before reporting");
    if (r.join_index >= 0) {
        const auto& j = ns.join[static_cast<size_t>(r.join_index)];
        throw SysError(r.err, "join {} namespace {}", oci::namespace_type_name(j.type), j.path);
    }
    if (r.pid < 0) throw SysError(r.err, "clone the container's init with namespace flags {:#x}", ns.clone_flags);
    return {r.pid, false};
}

}  // namespace mogu::runtime
