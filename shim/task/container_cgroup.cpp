#include "shim/task/container_cgroup.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"

#include <sys/epoll.h>

namespace mogu::shim {

std::string cgroup_path_from(const std::string& proc_pid_cgroup) {
    std::string unified;
    for (auto& line : split(proc_pid_cgroup, '\n')) {
        // hierarchy-id:controller-list:path
        auto first = line.find(':');
        auto second = first == std::string::npos ? first : line.find(':', first + 1);
        if (second == std::string::npos) continue;
        std::string controllers = line.substr(first + 1, second - first - 1);
        std::string path = line.substr(second + 1);
        if (controllers.empty() && line.compare(0, first, "0") == 0) unified = path;
        for (auto& c : split(controllers, ','))
            if (c == "memory") return path;
    }
    if (unified.empty()) throw Error("no memory or unified cgroup in /proc/<pid>/cgroup");
    return unified;
}

ContainerCgroup::ContainerCgroup(ttrpc::EventLoop& loop, pid_t pid, std::function<void()> on_oom)
    : loop_(loop), on_oom_(std::move(on_oom)) {
    auto manager = cgroups::detect();
    layout_ = manager->layout();
    std::string path = cgroup_path_from(read_file(fmt::format("/proc/{}/cgroup", pid)));
    cgroup_ = manager->open(cgroups::CgroupPath{path});
    cgroup_->release();  // the runtime owns the directories; we only read them
    try {
        oom_ = cgroup_->watch_oom();
    } catch (const std::exception& e) {
        log::warn("cgroup {}: no OOM events: {}", path, e.what());
    }
    if (oom_) loop_.add(oom_->fd(), EPOLLIN, [this](uint32_t) { on_oom_readable(); });
}

ContainerCgroup::~ContainerCgroup() {
    if (oom_) loop_.remove(oom_->fd());
}

void ContainerCgroup::on_oom_readable() {
    uint64_t events = oom_->consume();
    if (events > 0) on_oom_();
    if (oom_->cgroup_removed()) {
        loop_.remove(oom_->fd());
        oom_.reset();
    }
}

}  // namespace mogu::shim
