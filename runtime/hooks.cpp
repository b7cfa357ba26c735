#include "runtime/hooks.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/json.h"
#include "common/log.h"
#include "runtime/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {

std::string hook_state_json(const std::string& oci_version, const std::string& id, const char* status, pid_t pid,
                            const std::string& bundle, const std::map<std::string, std::string>& annotations) {
    JsonWriter w;
    w.begin_object().kv("ociVersion", oci_version).kv("id", id).kv("status", status);
    if (pid > 0) w.kv("pid", static_cast<long>(pid));
    w.kv("bundle", bundle);
    if (!annotations.empty()) {
        w.key("annotations").begin_object();
        for (const auto& [k, v] : annotations) w.kv(k, v);
        w.end_object();
    }
    w.end_object();
    return w.str();
}

namespace {

long now_ms() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void run_one(const oci::Hook& h, const std::string& what, const std::string& state) {
    log::debug("running {}", what);
    int in[2], out[2];
    check(::pipe2(in, O_CLOEXEC), "pipe for {}", what);
    UniqueFd in_r(in[0]), in_w(in[1]);
    check(::pipe2(out, O_CLOEXEC), "pipe for {}", what);
    UniqueFd out_r(out[0]), out_w(out[1]);

    std::vector<std::string> args = h.args.empty() ? std::vector<std::string>{h.path} : h.args;
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env = h.env;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid < 0) throw SysError(errno, "fork for {}", what);
    if (pid == 0) {
        ::dup2(in_r.get(), 0);
        ::dup2(out_w.get(), 1);
        ::dup2(out_w.get(), 2);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execve(h.path.c_str(), argv.data(), envp.data());
        dprintf(2, "exec %s: %s", h.path.c_str(), strerror(errno));
        ::_exit(127);
    }
    ChildProcess child(pid);
    in_r.reset();
    out_w.reset();
    // The hook may not read stdin at all; a full pipe or EPIPE must not fail us.
    ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
    ssize_t ignored = ::write(in_w.get(), state.data(), state.size());
    (void)ignored;
    in_w.reset();

    std::string output;
    long deadline = h.timeout ? now_ms() + *h.timeout * 1000L : -1;
    for (;;) {
        int wait_ms = deadline < 0 ? -1 : static_cast<int>(std::max(0L, deadline - now_ms()));
        struct pollfd p = {out_r.get(), POLLIN, 0};
        int rc = ::poll(&p, 1, wait_ms);
        if (rc < 0 && errno == EINTR) continue;
        if (rc == 0) throw Error("{} timed out after {}s", what, *h.timeout);  // child killed by its owner
        char buf[4096];
        ssize_t n = ::read(out_r.get(), buf, sizeof buf);
        if (n <= 0) break;
        if (output.size() < 4096) output.append(buf, static_cast<size_t>(n));
    }
    // The output pipe closed; the hook is exiting (or handed it to a child of its own).
    int status = child.wait();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    std::string how = WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                        : fmt::format("killed by signal {}", WTERMSIG(status));
    throw Error("{} failed: {}{}", what, how, output.empty() ? "" : ": " + output);
}

}  // namespace

void run_hooks(const std::vector<oci::Hook>& hooks, const char* kind, const std::string& state_json) {
    for (size_t i = 0; i < hooks.size(); ++i)
        run_one(hooks[i], fmt::format("{} hook #{} ({})", kind, i, hooks[i].path), state_json);
}

void run_hooks_warning_on_failure(const std::vector<oci::Hook>& hooks, const char* kind, const std::string& state_json) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        try {
            run_one(hooks[i], fmt::format("{} hook #{} ({})", kind, i, hooks[i].path), state_json);
        } catch (const std::exception& e) {
            log::warn("{}", e.what());
        }
    }
}

}  // namespace mogu::runtime
