// Pause and resume: v1 freezer.state, v2 cgroup.freeze. Both return only once the kernel says
// every task is frozen (or thawed), or thaw again and fail, so a pause never half-succeeds.
#include "common/error.h"
#include "common/fd.h"
#include "common/strings.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/v1.h"
#include "runtime/cgroups/v2.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace mogu::cgroups {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kFreezeTimeout = std::chrono::seconds(5);

}  // namespace

namespace v1 {

FreezerState freezer_state(const std::string& dir) {
    auto s = std::string(trim(fs::read(dir, "freezer.state", fs::Records::one)));
    if (s == "FROZEN") return FreezerState::frozen;
    if (s == "FREEZING") return FreezerState::freezing;
    if (s == "THAWED") return FreezerState::thawed;
    throw Error("{}/freezer.state: unexpected state \"{}\"", dir, s);
}

void freeze(const std::string& dir, FreezerState target) {
    if (target != FreezerState::frozen) {
        fs::write(dir, "freezer.state", "THAWED");
        return;
    }
    // v1 can stay FREEZING while tasks keep forking; writing FROZEN again retries the tasks
    // that escaped, and an occasional thaw lets a fork storm settle (runc found the same).
    auto deadline = Clock::now() + kFreezeTimeout;
    auto pause = std::chrono::microseconds(100);
    for (int attempt = 1;; ++attempt) {
        if (attempt % 50 == 0) {
            fs::try_write(dir, "freezer.state", "THAWED");
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        fs::write(dir, "freezer.state", "FROZEN");
        auto state = freezer_state(dir);
        if (state == FreezerState::frozen) return;
        if (Clock::now() > deadline) {
            fs::try_write(dir, "freezer.state", "THAWED");
            throw Error("freeze {}: still FREEZING after {} s; thawed it again", dir, kFreezeTimeout.count());
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(10000));
    }
}

}  // namespace v1

namespace v2 {

namespace {
bool frozen_now(int events_fd, const std::string& dir) {
    char buf[256];
    ssize_t n = ::pread(events_fd, buf, sizeof buf - 1, 0);
    if (n < 0) throw SysError(errno, "read {}/cgroup.events", dir);
    return fs::parse_keyed(std::string(buf, static_cast<size_t>(n)))["frozen"] == 1;
}
}  // namespace

FreezerState freezer_state(const std::string& dir) {
    if (trim(fs::read(dir, "cgroup.freeze")) == "0") return FreezerState::thawed;
    return fs::read_keyed(dir, "cgroup.events")["frozen"] == 1 ? FreezerState::frozen : FreezerState::freezing;
}

void freeze(const std::string& dir, FreezerState target) {
    bool want = target == FreezerState::frozen;
    std::string events = dir + "/cgroup.events";
    UniqueFd fd(::open(events.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "open {}", events);
    fs::write(dir, "cgroup.freeze", want ? "1" : "0");
    // cgroup.events signals POLLPRI when "frozen" changes; poll in short slices anyway, so a
    // missed notification costs little.
    auto deadline = Clock::now() + kFreezeTimeout;
    while (frozen_now(fd.get(), dir) != want) {
        if (Clock::now() > deadline) {
            if (want) fs::try_write(dir, "cgroup.freeze", "0");
            throw Error("{} {}: cgroup.events still says frozen {} after {} s{}", want ? "freeze" : "thaw", dir, want ? 0 : 1,
                        kFreezeTimeout.count(), want ? "; thawed it again" : "");
        }
        pollfd p{fd.get(), POLLPRI, 0};
        ::poll(&p, 1, 10);
    }
}

}  // namespace v2

}  // namespace mogu::cgroups
