#include "runtime/criu/swrk.h"

#include "common/error.h"
#include "common/log.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mogu::runtime::criu {

Swrk::Swrk(const std::string& criu_path, const std::vector<int>& keep_fds, const int* stdio) {
    int sv[2];
    check(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), "socketpair for criu swrk");
    UniqueFd ours(sv[0]), theirs(sv[1]);
    std::string fd_arg = std::to_string(theirs.get());
    // criu stops a task leaving its parasite with an x86 hardware breakpoint; in VMs whose
    // hypervisor does not deliver debug-register traps (Firecracker, these hosts) the task runs
    // on and criu waits forever. CRIU_FAULT=130 (FI_NO_BREAKPOINTS) makes criu stop it at
    // rt_sigreturn's exit with PTRACE_SYSCALL instead, which works everywhere; nothing else in
    // criu looks at that value. The environment is built here: the child may not allocate.
    std::vector<std::string> env_text;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "CRIU_FAULT=", 11) != 0) env_text.emplace_back(*e);
    env_text.emplace_back("CRIU_FAULT=130");
    std::vector<char*> envp;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    const char* argv[] = {criu_path.c_str(), "swrk", fd_arg.c_str(), nullptr};
    pid_t pid = ::fork();
    if (pid < 0) throw SysError(errno, "fork for {} swrk", criu_path);
    if (pid == 0) {
        // The child: only async-signal-safe calls until exec.
        ::signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (stdio)
            for (int i = 0; i < 3; ++i)
                if (stdio[i] >= 0 && ::dup2(stdio[i], i) < 0) ::_exit(126);
        ::fcntl(theirs.get(), F_SETFD, 0);
        for (int fd : keep_fds) ::fcntl(fd, F_SETFD, 0);
        ::execve(argv[0], const_cast<char* const*>(argv), envp.data());
        ::_exit(127);
    }
    pid_ = pid;
    sock_ = std::move(ours);
}

Swrk::~Swrk() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
}

void Swrk::send(const rpc::criu_req& request) {
    std::string data = request.SerializeAsString();
    ssize_t n = ::send(sock_.get(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) throw SysError(errno, "send a {} request to criu", request_name(request.type()));
    if (static_cast<size_t>(n) != data.size()) throw Error("send a {} request to criu: short write", request_name(request.type()));
}

rpc::criu_resp Swrk::receive(UniqueFd* fd) {
    static constexpr size_t kMax = 1 << 20;  // criu's answers are small; a notify is a few bytes
    std::string buf(kMax, '\0');
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n;
    do n = ::recvmsg(sock_.get(), &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw SysError(errno, "read criu's answer");
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int received;
            std::memcpy(&received, CMSG_DATA(c), sizeof(int));
            UniqueFd owned(received);
            if (fd) *fd = std::move(owned);
        }
    if (n == 0) {
        int status = finish();
        throw Error("criu exited without answering ({})", WIFSIGNALED(status) ? fmt::format("killed by signal {}", WTERMSIG(status))
                                                                               : fmt::format("exit status {}", WEXITSTATUS(status)));
    }
    if (msg.msg_flags & MSG_TRUNC) throw Error("criu's answer is larger than {} bytes", kMax);
    rpc::criu_resp resp;
    if (!resp.ParseFromArray(buf.data(), static_cast<int>(n))) throw Error("criu's answer is not a criu_resp message ({} bytes)", n);
    return resp;
}

rpc::criu_resp Swrk::call(const rpc::criu_req& request, const NotifyHandler& on_notify) {
    send(request);
    for (;;) {
        UniqueFd fd;
        rpc::criu_resp resp = receive(&fd);
        if (resp.type() != rpc::NOTIFY) return resp;
        Notification note{resp.notify().script(), resp.notify().pid(), std::move(fd)};
        log::debug("criu notifies {} (pid {})", note.script, note.pid);
        rpc::criu_req ack;
        ack.set_type(rpc::NOTIFY);
        ack.set_notify_success(true);
        std::string failure;
        if (on_notify) {
            try {
                on_notify(note);
            } catch (const std::exception& e) {
                failure = e.what();
                ack.set_notify_success(false);
            }
        }
        send(ack);
        // criu gives up after a failed notification; it still answers, and the caller's error
        // is the more useful one.
        if (!failure.empty()) {
            try {
                receive(nullptr);
            } catch (const std::exception&) {
            }
            throw Error("{}", failure);
        }
    }
}

int Swrk::finish() {
    sock_.reset();
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) throw SysError(errno, "wait for criu {}", pid_);
    }
    pid_ = -1;
    return status;
}

int version_of(const std::string& criu_path) {
    // Whatever the program prints goes to our stderr: `mogu check --format json` prints its report
    // on stdout after asking criu for its version.
    static constexpr int stdio[3] = {-1, STDERR_FILENO, -1};
    Swrk swrk(criu_path, {}, stdio);
    rpc::criu_req req;
    req.set_type(rpc::VERSION);
    rpc::criu_resp resp = swrk.call(req);
    swrk.finish();
    if (!resp.success() || !resp.has_version()) throw Error("{} does not answer a version request", criu_path);
    const auto& v = resp.version();
    return v.major_number() * 10000 + v.minor_number() * 100 + v.sublevel();
}

const char* request_name(rpc::criu_req_type t) {
    switch (t) {
        case rpc::DUMP: return "dump";
        case rpc::PRE_DUMP: return "pre-dump";
        case rpc::RESTORE: return "restore";
        case rpc::VERSION: return "version";
        case rpc::FEATURE_CHECK: return "feature check";
        case rpc::NOTIFY: return "notify";
        default: return "criu";
    }
}

}  // namespace mogu::runtime::criu
