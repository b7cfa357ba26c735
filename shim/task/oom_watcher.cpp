#include "shim/task/oom_watcher.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::shim {

OomWatcher::OomWatcher(ttrpc::EventLoop& loop, const CgroupDirs& dirs, std::function<void()> on_oom)
    : loop_(loop), on_oom_(std::move(on_oom)) {
    std::string mem = dirs.v1_dir("memory");
    if (!mem.empty()) {
        dir_ = mem;
        std::string oc = path_join(mem, "memory.oom_control");
        control_.reset(open(oc.c_str(), O_RDONLY | O_CLOEXEC));
        if (!control_) throw SysError(errno, "open {}", oc);
        event_.reset(check(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd for {}", oc));
        // cgroup-v1/memory.rst: write "<event_fd> <fd of memory.oom_control>" to cgroup.event_control.
        write_existing(path_join(mem, "cgroup.event_control"), fmt::format("{} {}", event_.get(), control_.get()));
        loop_.add(event_.get(), EPOLLIN, [this](uint32_t) { on_v1_event(); });
        return;
    }
    if (!dirs.unified.empty() && path_exists(path_join(dirs.unified, "memory.events"))) {
        dir_ = dirs.unified;
        event_.reset(check(inotify_init1(IN_CLOEXEC | IN_NONBLOCK), "inotify_init1"));
        std::string ev = path_join(dir_, "memory.events");
        check(inotify_add_watch(event_.get(), ev.c_str(), IN_MODIFY), "watch {}", ev);
        v2_kills_ = read_v2_oom_kills();
        loop_.add(event_.get(), EPOLLIN, [this](uint32_t) { on_v2_event(); });
    }
}

OomWatcher::~OomWatcher() {
    if (event_) loop_.remove(event_.get());
}

void OomWatcher::on_v1_event() {
    uint64_t n;
    if (read(event_.get(), &n, sizeof n) != sizeof n) return;
    // The eventfd also fires when the cgroup is removed: that is no OOM.
    if (!path_exists(path_join(dir_, "cgroup.event_control"))) {
        loop_.remove(event_.get());
        event_.reset();
        return;
    }
    on_oom_();
}

uint64_t OomWatcher::read_v2_oom_kills() const {
    auto text = read_file_if_exists(path_join(dir_, "memory.events"));
    if (!text) return 0;
    for (auto& line : split(*text, '\n')) {
        auto f = split(line, ' ');
        if (f.size() == 2 && f[0] == "oom_kill") return parse_uint(f[1]).value_or(0);
    }
    return 0;
}

void OomWatcher::on_v2_event() {
    char buf[4096];
    while (read(event_.get(), buf, sizeof buf) > 0) {
    }
    uint64_t kills = read_v2_oom_kills();
    if (kills > v2_kills_) {
        v2_kills_ = kills;
        on_oom_();
    }
}

}  // namespace mogu::shim
