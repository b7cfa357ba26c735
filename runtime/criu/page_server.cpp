#include "runtime/criu/page_server.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/files.h"
#include "common/log.h"
#include "runtime/criu/request.h"
#include "runtime/criu/swrk.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <thread>

namespace mogu::runtime::criu {
namespace {

// For its lifetime, orphans below this process are reparented to it (PR_SET_CHILD_SUBREAPER).
struct Subreaper {
    int before = 0;
    Subreaper() {
        ::prctl(PR_GET_CHILD_SUBREAPER, &before, 0, 0, 0);
        if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) throw SysError(errno, "prctl(PR_SET_CHILD_SUBREAPER) for criu's page server");
    }
    ~Subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, before, 0, 0, 0); }
    Subreaper(const Subreaper&) = delete;
    Subreaper& operator=(const Subreaper&) = delete;
};

UniqueFd open_dir(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "page server directory {}", path);
    return fd;
}

}  // namespace

PageServerAddress parse_page_server(const std::string& text, const char* flag) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw UsageError("{}: \"{}\" is not ADDRESS:PORT", flag, text);
    PageServerAddress a;
    a.address = text.substr(0, colon);
    unsigned port = 0;
    auto digits = std::string_view(text).substr(colon + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc{} || end != digits.data() + digits.size() || port == 0 || port > 65535)
        throw UsageError("{}: \"{}\" is not a port 1-65535 (in \"{}\")", flag, digits, text);
    a.port = static_cast<uint16_t>(port);
    return a;
}

PageServer::PageServer(const std::string& criu_path, const std::string& images_dir, const std::string& log_dir, const std::string& log_name,
                       const std::string& address) {
    log_path_ = path_join(log_dir, log_name);
    UniqueFd images = open_dir(images_dir), logs = open_dir(log_dir);
    rpc::criu_req req;
    // PAGE_SERVER_CHLD: criu's page server is swrk's child and reports its own pid (criu 4.1's
    // PAGE_SERVER daemonizes and answers pid 0); swrk exits after answering, leaving it to us.
    req.set_type(rpc::PAGE_SERVER_CHLD);
    auto& opts = *req.mutable_opts();
    opts.set_images_dir_fd(images.get());
    opts.set_work_dir_fd(logs.get());
    opts.set_log_level(4);
    opts.set_log_file(log_name);
    opts.mutable_ps()->set_address(address);
    opts.mutable_ps()->set_port(0);  // criu binds a free port and says which
    rpc::criu_resp resp;
    {
        // criu's stdio is /dev/null: its log file has what it says, and swrk complains on
        // stderr when we close the socket after the answer it waits beyond.
        UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
        if (!null) throw SysError(errno, "open /dev/null for criu's page server");
        int stdio[3] = {null.get(), null.get(), null.get()};
        Subreaper reaper;
        Swrk swrk(criu_path, {images.get(), logs.get()}, stdio);
        resp = swrk.call(req);
        swrk.finish();
    }
    if (resp.has_ps() && resp.ps().has_pid() && resp.ps().pid() > 0) {
        pid_ = resp.ps().pid();
        // Reparented to us (a subreaper) once swrk exits.
        int status;
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        ours_ = r == 0;
        if (r == pid_) {
            pid_ = -1;
            throw Error("criu's page server on {} exited at once (criu's log: {})", address, log_path_);
        }
    }
    // A constructor that throws runs no destructor: a server criu started is stopped here.
        if (!resp.success()) {
        stop();
        throw_criu_failure(resp, "page-server", log_path_);
    }
    if (pid_ <= 0 || !resp.ps().has_port() || resp.ps().port() <= 0 || resp.ps().port() > 65535) {
        stop();
        throw Error("starting criu's page server on {} failed: criu answered pid {} port {} (criu's log: {})", address,
                    resp.has_ps() ? resp.ps().pid() : 0, resp.has_ps() ? resp.ps().port() : 0, log_path_);
    }
    port_ = static_cast<uint16_t>(resp.ps().port());
    log::debug("criu page server {} on {}:{} writing into {}", pid_, address, port_, images_dir);
}

PageServer::~PageServer() { stop(); }

void PageServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    if (ours_)
        while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    pid_ = -1;
}

void PageServer::wait(int timeout_seconds) {
    if (pid_ <= 0) return;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    for (;;) {
        int status = 0;
        bool exited;
        if (ours_) {
            pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) throw SysError(errno, "waiting for criu's page server {}", pid_);
            exited = r == pid_;
        } else {
            exited = ::kill(pid_, 0) < 0 && errno == ESRCH;
        }
        if (exited) {
            pid_ = -1;
            if (ours_ && WIFSIGNALED(status))
                throw Error("criu's page server was killed by signal {} (criu's log: {})", WTERMSIG(status), log_path_);
            return;
        }
        if (std::chrono::steady_clock::now() > deadline)
            throw Error("criu's page server {} did not finish within {} s (criu's log: {})", pid_, timeout_seconds, log_path_);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace mogu::runtime::criu
