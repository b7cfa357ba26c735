#include "common/error.h"
#include "common/fd.h"
#include "common/strings.h"
#include "runtime/lxcfs/lxcfs.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

namespace mogu::runtime::lxcfs {
namespace {

// What the reader shares with us: it runs in our memory (CLONE_VM) while we wait (CLONE_VFORK).
struct LoadRead {
    const char* path;
    int timeout_ms = -1;
    char buf[256];
    ssize_t n = -1;
};

// The reader, born in the container's pid namespace: LXCFS answers for the pid namespace of the
// process that reads. Only system calls here: it borrows our memory and has a stack of its own.
int read_in_child(void* arg) {
    auto* job = static_cast<LoadRead*>(arg);
    if (job->timeout_ms >= 0) {
        // A hung LXCFS: SIGALRM at its default action ends this child even in a blocked FUSE
        // read (a fatal signal wakes it), and the parent, suspended until then, goes on. Our
        // signal handlers and mask are this child's own copies (no CLONE_SIGHAND).
        struct sigaction dfl = {};
        dfl.sa_handler = SIG_DFL;
        ::sigaction(SIGALRM, &dfl, nullptr);
        sigset_t alarm;
        sigemptyset(&alarm);
        sigaddset(&alarm, SIGALRM);
        ::sigprocmask(SIG_UNBLOCK, &alarm, nullptr);
        int ms = job->timeout_ms > 0 ? job->timeout_ms : 1;
        struct itimerval t = {};
        t.it_value.tv_sec = ms / 1000;
        t.it_value.tv_usec = (ms % 1000) * 1000;
        ::setitimer(ITIMER_REAL, &t, nullptr);
    }
    int fd = ::open(job->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    job->n = ::read(fd, job->buf, sizeof job->buf);
    ::close(fd);
    return 0;
}

// For the life of this guard, children of this thread are born in another pid namespace; then
// they are born in ours again. Only this thread is touched (setns changes one task). Coming back
// cannot fail (our own, active namespace is always allowed): if it ever did, forking on in the
// container's namespace would be worse than stopping.
class PidNamespaceForChildren {
public:
    PidNamespaceForChildren(int ours, int theirs) : ours_(ours) {
        if (::setns(theirs, CLONE_NEWPID) < 0) throw SysError(errno, "join the container's pid namespace for children");
    }
    ~PidNamespaceForChildren() {
        if (::setns(ours_, CLONE_NEWPID) < 0) std::abort();
    }
    PidNamespaceForChildren(const PidNamespaceForChildren&) = delete;
    PidNamespaceForChildren& operator=(const PidNamespaceForChildren&) = delete;

private:
    int ours_;
};

}  // namespace

std::optional<LoadAverage> parse_loadavg(const std::string& text) {
    auto f = split(std::string(trim(text)), ' ');
    if (f.size() < 4) return std::nullopt;
    LoadAverage l;
    double* avgs[] = {&l.avg1, &l.avg5, &l.avg15};
    for (size_t i = 0; i < 3; ++i) {
        char* end = nullptr;
        *avgs[i] = std::strtod(f[i].c_str(), &end);
        if (end == f[i].c_str()) return std::nullopt;
    }
    auto slash = f[3].find('/');
    if (slash == std::string::npos) return std::nullopt;
    auto running = parse_uint(std::string_view(f[3]).substr(0, slash)), tasks = parse_uint(std::string_view(f[3]).substr(slash + 1));
    if (!running || !tasks) return std::nullopt;
    l.running = *running;
    l.tasks = *tasks;
    return l;
}

std::optional<LoadAverage> read_load_average(pid_t init, const std::string& mount_point, int timeout_ms) {
    UniqueFd theirs(::open(fmt::format("/proc/{}/ns/pid", init).c_str(), O_RDONLY | O_CLOEXEC));
    if (!theirs) return std::nullopt;  // the container is gone
    UniqueFd ours(::open("/proc/thread-self/ns/pid", O_RDONLY | O_CLOEXEC));
    if (!ours) throw SysError(errno, "open /proc/thread-self/ns/pid");
    std::string path = mount_point + "/proc/loadavg";
    LoadRead job;
    job.path = path.c_str();
    job.timeout_ms = timeout_ms;
    // One child that shares our memory, not a fork of the whole process: a refresh of mogu top
    // reads a hundred containers. Exit signal 0: a subreaper's waitpid(-1) (the shim's) never
    // reaps it; __WCLONE below does. Its stack is this thread's, made once: CLONE_VFORK holds us
    // until the child is gone, so no two children ever run on it, and a fresh one per read was
    // an mmap, page faults and an munmap each time.
    constexpr size_t kStack = 256 * 1024;
    thread_local std::unique_ptr<char[]> stack(new char[kStack]);
    pid_t reader;
    {
        PidNamespaceForChildren in_theirs(ours.get(), theirs.get());
        reader = ::clone(read_in_child, stack.get() + kStack, CLONE_VM | CLONE_VFORK, &job);
    }
    if (reader < 0) return std::nullopt;  // ENOMEM: the namespace's init is gone, the container with it
    while (::waitpid(reader, nullptr, __WCLONE) < 0 && errno == EINTR) {
    }
    if (job.n <= 0) return std::nullopt;
    return parse_loadavg(std::string(job.buf, static_cast<size_t>(job.n)));
}

}  // namespace mogu::runtime::lxcfs
