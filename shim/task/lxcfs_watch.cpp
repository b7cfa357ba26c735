#include "shim/task/lxcfs_watch.h"

#include "common/error.h"
#include "common/log.h"

#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::shim {
namespace {

constexpr long kFuseSuperMagic = 0x65735546;

}  // namespace

dev_t live_lxcfs_device(const std::string& mount_point) {
    struct statfs fs;
    if (::statfs(mount_point.c_str(), &fs) < 0 || fs.f_type != kFuseSuperMagic) return 0;
    struct stat st;
    if (::stat((mount_point + "/proc/meminfo").c_str(), &st) < 0) return 0;
    return st.st_dev;
}

LxcfsWatch::LxcfsWatch(ttrpc::EventLoop& loop, std::function<void(const std::string&)> on_new_instance)
    : loop_(loop), on_new_instance_(std::move(on_new_instance)) {}

LxcfsWatch::~LxcfsWatch() {
    if (timer_) loop_.remove(timer_.get());
}

void LxcfsWatch::watch(const std::string& mount_point) {
    if (known_.count(mount_point)) return;
    known_[mount_point] = live_lxcfs_device(mount_point);
    if (timer_) return;
    // Armed on the first container that wants views: a shim without any never wakes for this.
    timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!timer_) throw SysError(errno, "timerfd for the LXCFS watch");
    struct itimerspec every_second = {{1, 0}, {1, 0}};
    if (::timerfd_settime(timer_.get(), 0, &every_second, nullptr) < 0) throw SysError(errno, "arm the LXCFS watch timer");
    loop_.add(timer_.get(), EPOLLIN, [this](uint32_t) {
        uint64_t ticks;
        ssize_t n = ::read(timer_.get(), &ticks, sizeof ticks);
        (void)n;
        check();
    });
}

void LxcfsWatch::check() {
    for (auto& [mount_point, known] : known_) {
        dev_t now = live_lxcfs_device(mount_point);
        if (now == known) continue;
        dev_t before = known;
        known = now;
        if (now == 0) {
            log::warn("LXCFS at {} stopped answering: the containers' views are stale until it is back", mount_point);
            continue;
        }
        log::info("a new LXCFS answers at {} (device {} before, {} now): repairing the containers' views", mount_point, before, now);
        on_new_instance_(mount_point);
    }
}

}  // namespace mogu::shim
