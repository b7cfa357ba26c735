#include "runtime/criu/freeze_for_dump.h"

#include "common/error.h"
#include "common/log.h"
#include "runtime/proc_info.h"

#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace mogu::runtime::criu {

std::optional<std::pair<pid_t, pid_t>> vfork_in_flight(const std::vector<pid_t>& pids) {
    std::vector<pid_t> sorted = pids;
    std::sort(sorted.begin(), sorted.end());
    for (pid_t child : sorted) {
        auto st = read_proc_stat(child);
        if (!st || st->ppid <= 0 || st->ppid == child || !std::binary_search(sorted.begin(), sorted.end(), st->ppid)) continue;
        // 0: the same address space. Processes (not threads: these are thread group leaders)
        // share one only between vfork and exec, or after a bare clone(CLONE_VM), which criu
        // cannot dump either.
        long same = syscall(SYS_kcmp, st->ppid, child, KCMP_VM, 0, 0);
        if (same == 0) return std::pair{st->ppid, child};
        if (same < 0 && errno == ENOSYS) return std::nullopt;  // the kernel cannot tell: criu will
    }
    return std::nullopt;
}

FrozenForDump::FrozenForDump(cgroups::Cgroup& cgroup, const std::string& container_id, std::chrono::milliseconds budget)
    : cgroup_(cgroup) {
    if (cgroup_.freezer_state() == cgroups::FreezerState::frozen) {
        // Paused by its owner: a vfork caught in it stays caught, criu will say so.
        if (auto v = vfork_in_flight(cgroup_.pids()))
            log::warn("container {} is paused while process {} waits in vfork() for its child {} to exec: criu cannot stop it; resume the container and retry",
                      container_id, v->first, v->second);
        return;
    }
    auto deadline = std::chrono::steady_clock::now() + budget;
    auto pause = std::chrono::milliseconds(5);
    for (;;) {
        cgroup_.freeze(cgroups::FreezerState::frozen);
        froze_ = true;
        auto v = vfork_in_flight(cgroup_.pids());
        if (!v) return;
        cgroup_.freeze(cgroups::FreezerState::thawed);
        froze_ = false;
        if (std::chrono::steady_clock::now() >= deadline)
            throw Error("container {}: process {} stayed inside vfork() for {} ms, its child {} never exec'd; criu cannot stop a process there (the container keeps running; retry)",
                        container_id, v->first, budget.count(), v->second);
        log::debug("container {}: process {} is inside vfork() (child {}): thawing {} ms for the child to exec", container_id, v->first,
                   v->second, pause.count());
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(100));
    }
}

FrozenForDump::~FrozenForDump() {
    if (!froze_) return;
    try {
        cgroup_.freeze(cgroups::FreezerState::thawed);
    } catch (const std::exception& e) {
        log::warn("thawing the container's cgroup after criu: {}", e.what());
    }
}

}  // namespace mogu::runtime::criu
