#include "common/error.h"
#include "common/fd.h"
#include "runtime/child_process.h"
#include "runtime/lxcfs/lxcfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mogu::runtime::lxcfs {
namespace {

constexpr long kFuseSuperMagic = 0x65735546;

// In the container's mount namespace: whether the file carries a bind of LXCFS, dead or alive.
bool has_lxcfs_bind(const std::string& path) {
    struct statfs fs;
    if (::statfs(path.c_str(), &fs) < 0) return errno == ENOTCONN;
    return fs.f_type == kFuseSuperMagic;
}

// The helper's work: it is single-threaded (setns into a mount namespace refuses a process that
// shares its filesystem attributes) and writes its count or its error to `report`.
[[noreturn]] void repair_in_helper(int mnt_ns, const Views& views, int report) {
    std::string message;
    size_t replaced = 0;
    try {
        std::vector<UniqueFd> fresh;
        for (const auto& file : views.files) fresh.push_back(detached_view(views.mount_point + "/" + file));
        if (::setns(mnt_ns, CLONE_NEWNS) < 0) throw SysError(errno, "join the container's mount namespace");
        // setns put us at that namespace's root: the container's own "/".
        for (size_t i = 0; i < views.files.size(); ++i) {
            std::string target = "/" + views.files[i];
            if (!has_lxcfs_bind(target)) continue;  // never bound, or masked since: leave it
            while (has_lxcfs_bind(target))
                if (::umount2(target.c_str(), MNT_DETACH) < 0) throw SysError(errno, "detach the stale view at {}", target);
            if (::syscall(SYS_move_mount, fresh[i].get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0)
                throw SysError(errno, "attach the new view at {}", target);
            ++replaced;
        }
    } catch (const std::exception& e) {
        message = e.what();
    }
    std::string line = message.empty() ? "ok " + std::to_string(replaced) : "error " + message;
    ssize_t ignored = ::write(report, line.data(), line.size());
    (void)ignored;
    ::_exit(message.empty() ? 0 : 1);
}

}  // namespace

size_t repair_views(pid_t init, const Views& views) {
    std::string why;
    if (!probe(views.mount_point, why)) throw Error("cannot repair the LXCFS views: {}", why);
    UniqueFd mnt_ns(::open(fmt::format("/proc/{}/ns/mnt", init).c_str(), O_RDONLY | O_CLOEXEC));
    if (!mnt_ns) throw SysError(errno, "open the mount namespace of the container's init {}", init);
    int fds[2];
    check(::pipe2(fds, O_CLOEXEC), "pipe for the LXCFS repair");
    UniqueFd from_helper(fds[0]), to_parent(fds[1]);
    pid_t pid = ::fork();
    if (pid < 0) throw SysError(errno, "fork for the LXCFS repair");
    if (pid == 0) repair_in_helper(mnt_ns.get(), views, to_parent.get());
    ChildProcess helper(pid);
    to_parent.reset();
    std::string report;
    char buf[512];
    ssize_t n;
    while ((n = ::read(from_helper.get(), buf, sizeof buf)) > 0) report.append(buf, static_cast<size_t>(n));
    helper.wait();
    if (report.starts_with("ok ")) return std::stoul(report.substr(3));
    if (report.starts_with("error ")) throw Error("{}", report.substr(6));
    throw Error("the LXCFS repair helper died without a word");
}

}  // namespace mogu::runtime::lxcfs
