#include "shim/task/runtime_cli.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/files.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strings.h"
#include "runtime/stats_event.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mogu::shim {
namespace {

void write_all(int fd, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return;  // the child stopped reading; its exit status tells the story
        off += size_t(n);
    }
}

std::string read_all(int fd) {
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return out;
        out.append(buf, size_t(n));
    }
}

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(char* const* argv, int in, int out, int err) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int devnull = open("/dev/null", O_RDWR);
    int fds[3] = {in < 0 ? devnull : in, out < 0 ? devnull : out, err < 0 ? devnull : err};
    // Move the sources above 2 first so dup2 of one does not clobber another.
    for (int& fd : fds) {
        if (fd >= 0 && fd <= 2) fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    }
    for (int i = 0; i < 3; i++) {
        if (fds[i] < 0 || dup2(fds[i], i) < 0) _exit(126);
    }
    execvp(argv[0], argv);
    _exit(127);
}

}  // namespace

pid_t read_pid_file(const std::string& path) {
    std::string text = read_file(path);
    auto pid = parse_int(trim(text));
    if (!pid || *pid <= 0) throw Error("{}: not a pid: \"{}\"", path, std::string(trim(text)));
    return pid_t(*pid);
}

std::string RuntimeCli::last_error() const {
    auto text = read_file_if_exists(log_);
    if (!text) return "";
    std::string last;
    for (auto& line : split(*text, '\n')) {
        if (trim(line).empty()) continue;
        try {
            JsonDoc doc = JsonDoc::parse(line, log_);
            Json r = doc.root();
            if (r.string_or("level", "") == "error") last = r.string_or("msg", "");
        } catch (const Error&) {
            last = std::string(trim(line));  // a runtime that does not write JSON
        }
    }
    return last;
}

std::string RuntimeCli::run(const char* verb, const std::vector<std::string>& args, ChildStdio stdio,
                            const std::string* stdin_data, bool capture) {
    std::vector<std::string> argv{opts_.binary, "--root", opts_.root, "--log", log_, "--log-format", "json"};
    if (opts_.systemd_cgroup) argv.push_back("--systemd-cgroup");
    if (!opts_.lxcfs.empty()) argv.push_back("--lxcfs=" + opts_.lxcfs);
    if (!opts_.lxcfs_path.empty()) argv.push_back("--lxcfs-path=" + opts_.lxcfs_path);
    bool criu_verb = std::string_view(verb) == "checkpoint" || std::string_view(verb) == "restore";
    if (criu_verb && !opts_.criu_path.empty()) argv.insert(argv.end(), {"--criu", opts_.criu_path});
    argv.push_back(verb);
    argv.insert(argv.end(), args.begin(), args.end());

    int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1};
    if (stdin_data) check(pipe2(in_pipe, O_CLOEXEC), "pipe for {} {}", opts_.binary, verb);
    UniqueFd in_r(in_pipe[0]), in_w(in_pipe[1]);
    if (capture) check(pipe2(out_pipe, O_CLOEXEC), "pipe for {} {}", opts_.binary, verb);
    UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]);
    if (stdin_data) stdio.in = in_r.get();
    if (capture) stdio.out = out_w.get();

    log::debug("running {}", join(argv, " "));
    std::vector<char*> cargv;  // built before fork: the child only calls async-signal-safe functions
    for (auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) throw SysError(errno, "fork for {} {}", opts_.binary, verb);
    if (pid == 0) exec_child(cargv.data(), stdio.in, stdio.out, stdio.err);
    in_r.reset();
    out_w.reset();
    if (stdin_data) {
        write_all(in_w.get(), *stdin_data);
        in_w.reset();
    }
    std::string output = capture ? read_all(out_r.get()) : "";
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw SysError(errno, "wait for {} {}", opts_.binary, verb);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return output;
    std::string why = last_error();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && why.empty())
        why = fmt::format("{} not found or not executable", opts_.binary);
    if (why.empty())
        why = WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                : fmt::format("killed by signal {}", WTERMSIG(status));
    throw Error("OCI runtime {} failed: {}", verb, why);
}

void RuntimeCli::create(const std::string& id, const std::string& bundle, const std::string& pid_file,
                        const std::string& console_socket, ChildStdio stdio) {
    std::vector<std::string> args{"--bundle", bundle, "--pid-file", pid_file};
    if (!console_socket.empty()) args.insert(args.end(), {"--console-socket", console_socket});
    if (opts_.no_pivot_root) args.push_back("--no-pivot");
    if (opts_.no_new_keyring) args.push_back("--no-new-keyring");
    args.push_back(id);
    run("create", args, stdio);
}

void RuntimeCli::start(const std::string& id) { run("start", {id}, {}); }

void RuntimeCli::exec(const std::string& id, const std::string& process_file, const std::string& pid_file,
                      const std::string& console_socket, ChildStdio stdio) {
    std::vector<std::string> args{"--process", process_file, "--pid-file", pid_file};
    if (!console_socket.empty()) args.insert(args.end(), {"--console-socket", console_socket});
    args.push_back("--detach");
    args.push_back(id);
    run("exec", args, stdio);
}

void RuntimeCli::checkpoint(const std::string& id, const std::vector<std::string>& args) {
    std::vector<std::string> all = args;
    all.push_back(id);
    run("checkpoint", all, {});
}

void RuntimeCli::restore(const std::string& id, const std::string& bundle, const std::string& images, const std::string& work,
                         const std::string& pid_file, const std::string& console_socket, ChildStdio stdio) {
    std::vector<std::string> args{"--image-path", images, "--work-path", work, "--bundle", bundle, "--pid-file", pid_file,
                                  "--detach", "--no-subreaper"};
    if (!console_socket.empty()) args.insert(args.end(), {"--console-socket", console_socket});
    if (opts_.no_pivot_root) args.push_back("--no-pivot");
    args.push_back(id);
    run("restore", args, stdio);
}

void RuntimeCli::kill(const std::string& id, int signal, bool all) {
    std::vector<std::string> args;
    if (all) args.push_back("--all");
    args.push_back(id);
    args.push_back(std::to_string(signal));
    run("kill", args, {});
}

void RuntimeCli::remove(const std::string& id, bool force) {
    std::vector<std::string> args;
    if (force) args.push_back("--force");
    args.push_back(id);
    run("delete", args, {});
}

void RuntimeCli::pause(const std::string& id) { run("pause", {id}, {}); }
std::string RuntimeCli::lxcfs_repair(const std::string& id) { return run("lxcfs", {"repair", id}, {}, nullptr, true); }
void RuntimeCli::resume(const std::string& id) { run("resume", {id}, {}); }

void RuntimeCli::update(const std::string& id, const std::string& resources_json) {
    run("update", {"--resources", "-", id}, {}, &resources_json);
}

runtime::ContainerStats RuntimeCli::stats(const std::string& id) {
    std::string out = run("events", {"--stats", id}, {}, nullptr, true);
    return runtime::parse_stats_event_json(out, fmt::format("{} events --stats output", opts_.binary));
}

std::map<std::string, std::string> RuntimeCli::state_annotations(const std::string& id) {
    std::string out = run("state", {id}, {}, nullptr, true);
    JsonDoc doc = JsonDoc::parse(out, fmt::format("{} state output", opts_.binary));
    std::map<std::string, std::string> annotations;
    if (auto a = doc.root().get("annotations"); a && a->is_object())
        a->for_each_member([&](std::string_view k, const Json& v) {
            if (v.is_string()) annotations[std::string(k)] = v.as_string();
        });
    return annotations;
}

std::vector<pid_t> RuntimeCli::ps(const std::string& id) {
    std::string out = run("ps", {"--format", "json", id}, {}, nullptr, true);
    JsonDoc doc = JsonDoc::parse(out, fmt::format("{} ps output", opts_.binary));
    std::vector<pid_t> pids;
    Json r = doc.root();
    if (r.is_null()) return pids;
    for (auto& p : r.expect_array().elements()) pids.push_back(pid_t(p.as_int()));
    return pids;
}

}  // namespace mogu::shim
