// OOM notification: v1 through cgroup.event_control (an eventfd the kernel signals on every OOM
// of the memory cgroup, and once more when the cgroup is removed), v2 through inotify on
// memory.events, whose oom_kill counter says how many processes the OOM killer took, and on the
// parent directory, which sees the cgroup's removal.
#include "runtime/cgroups/oom_watch.h"

#include "common/error.h"
#include "common/fd.h"
#include "runtime/cgroups/cgroup_fs.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::cgroups {
namespace {

class OomWatcherV1 final : public OomWatcher {
public:
    explicit OomWatcherV1(std::string dir) : dir_(std::move(dir)) {
        efd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        if (!efd_) throw SysError(errno, "eventfd for OOM notifications of {}", dir_);
        std::string control = dir_ + "/memory.oom_control";
        UniqueFd ofd(::open(control.c_str(), O_RDONLY | O_CLOEXEC));
        if (!ofd) throw SysError(errno, "open {}", control);
        // The registration lives until the eventfd is closed or the cgroup removed.
        fs::write(dir_, "cgroup.event_control", fmt::format("{} {}", efd_.get(), ofd.get()));
    }
    int fd() const override { return efd_.get(); }
    uint64_t consume() override {
        uint64_t n = 0;
        if (::read(efd_.get(), &n, sizeof n) != sizeof n) return 0;
        if (!fs::exists(dir_, "memory.oom_control")) {
            removed_ = true;
            return n > 0 ? n - 1 : 0;  // one signal was the removal
        }
        return n;
    }
    bool cgroup_removed() const override { return removed_; }

private:
    std::string dir_;
    UniqueFd efd_;
    bool removed_ = false;
};

class OomWatcherV2 final : public OomWatcher {
public:
    explicit OomWatcherV2(std::string dir) : dir_(std::move(dir)) {
        ifd_.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
        if (!ifd_) throw SysError(errno, "inotify for OOM notifications of {}", dir_);
        std::string events = dir_ + "/memory.events";
        if (::inotify_add_watch(ifd_.get(), events.c_str(), IN_MODIFY) < 0) throw SysError(errno, "watch {}", events);
        // Removing a cgroup sends nothing to watches on its files (kernfs keeps the inodes); the
        // rmdir shows as IN_DELETE in the parent directory.
        std::string parent = dir_.substr(0, dir_.rfind('/'));
        if (::inotify_add_watch(ifd_.get(), parent.c_str(), IN_DELETE | IN_ONLYDIR) < 0) throw SysError(errno, "watch {}", parent);
        kills_ = fs::read_keyed(dir_, "memory.events")["oom_kill"];
    }
    int fd() const override { return ifd_.get(); }
    uint64_t consume() override {
        alignas(inotify_event) char buf[4096];
        while (::read(ifd_.get(), buf, sizeof buf) > 0) {
        }
        auto text = fs::read_if_exists(dir_, "memory.events");
        if (!text) {
            removed_ = true;
            return 0;
        }
        uint64_t now = fs::parse_keyed(*text)["oom_kill"];
        uint64_t fresh = now > kills_ ? now - kills_ : 0;
        kills_ = now;
        return fresh;
    }
    bool cgroup_removed() const override { return removed_; }

private:
    std::string dir_;
    UniqueFd ifd_;
    uint64_t kills_ = 0;
    bool removed_ = false;
};

}  // namespace

std::unique_ptr<OomWatcher> watch_oom_v1(const std::string& memory_dir) { return std::make_unique<OomWatcherV1>(memory_dir); }
std::unique_ptr<OomWatcher> watch_oom_v2(const std::string& dir) { return std::make_unique<OomWatcherV2>(dir); }

}  // namespace mogu::cgroups
