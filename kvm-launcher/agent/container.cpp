#include "kvm-launcher/agent/container.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/kmsg_record.h"
#include "common/log.h"
#include "common/strings.h"
#include "kvm-launcher/agent/child_call.h"
#include "kvm-launcher/agent/guest_boot.h"
#include "kvm-launcher/agent/guest_config.h"
#include "runtime/child_process.h"
#include "runtime/linux/mount_options.h"
#include "runtime/state.h"
#include "runtime/stats_event.h"
#include "runtime/terminal.h"
#include "ttrpc/status.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::vm::agent {
namespace {

using ttrpc::Code;
using ttrpc::StatusError;

constexpr int kDeviceTimeoutMs = 5000;
constexpr size_t kMaxEarlyExits = 1024;
constexpr const char* kPodShareTag = "pod";
constexpr const char* kNinePOptions = "trans=virtio,version=9p2000.L,msize=512000,cache=mmap";
// containerd's default for a pod's /dev/shm (the CRI plugin's tmpfs on the host).
constexpr const char* kShmOptions = "mode=1777,size=65536k";

std::string agent_path(const std::string& name) { return path_join(kAgentDir, name); }

void mount_rootfs(const v1::Rootfs& r, const std::string& target, VmShared& shared) {
    mkdir_p(target);
    unsigned long flags = r.readonly() ? MS_RDONLY : 0;
    if (r.kind() == v1::Rootfs::BLOCK) {
        std::string dev = find_block_device(r.source(), kDeviceTimeoutMs);
        std::string type = r.fstype().empty() ? "ext4" : r.fstype();
        // A host block device comes with its mount options (containerd's, from the snapshotter).
        runtime::MountOptions o = runtime::parse_mount_options({r.options().begin(), r.options().end()});
        flags |= o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (::mount(dev.c_str(), target.c_str(), type.c_str(), flags, o.data.empty() ? nullptr : o.data.c_str()) < 0)
            throw SysError(errno, "mount the rootfs ({} {}, serial {}, options {}) on {}", type, dev, r.source(),
                           o.data.empty() ? "none" : o.data, target);
    } else if (r.kind() == v1::Rootfs::NINEP && r.source() == kPodShareTag) {
        // A pod's container: its rootfs is a directory the host bound into the pod's share.
        std::string dir = path_join(shared.pod_share(), r.subpath());
        if (r.subpath().empty() || r.subpath().find("..") != std::string::npos)
            throw StatusError(Code::invalid_argument, "rootfs subpath {} is not a directory of the pod's share", r.subpath());
        if (::mount(dir.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
            throw SysError(errno, "bind the rootfs {} (the pod's share) on {}", dir, target);
        if (r.readonly() && ::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) < 0)
            throw SysError(errno, "make the rootfs {} read-only", target);
    } else if (r.kind() == v1::Rootfs::NINEP) {
        if (::mount(r.source().c_str(), target.c_str(), "9p", flags, kNinePOptions) < 0)
            throw SysError(errno, "mount the rootfs (9p tag {}) on {}", r.source(), target);
    } else {
        throw StatusError(Code::invalid_argument, "unknown rootfs kind {}", int(r.kind()));
    }
}

// A listening socket the runtime's init connects to, to hand over its terminal's master.
UniqueFd listen_console(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw SysError(errno, "console socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ::unlink(path.c_str());
    check(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), "bind {}", path);
    check(::listen(fd.get(), 1), "listen {}", path);
    return fd;
}

UniqueFd accept_master(int listener, const std::string& path) {
    pollfd pfd{listener, POLLIN, 0};
    if (::poll(&pfd, 1, 10000) <= 0) throw Error("the container did not send its terminal to {}", path);
    UniqueFd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) throw SysError(errno, "accept on {}", path);
    return runtime::receive_pty_master(conn.get());
}

pid_t read_pid(const std::string& path) {
    auto pid = parse_int(trim(read_file(path)));
    if (!pid || *pid <= 0) throw Error("{}: not a pid", path);
    return pid_t(*pid);
}

UniqueFd dup_fd(int fd) {
    UniqueFd d(fcntl(fd, F_DUPFD_CLOEXEC, 3));
    if (!d) throw SysError(errno, "dup");
    return d;
}

bool json_terminal(const Json& process) {
    auto t = process.get("terminal");
    return t && t->as_bool();
}

}  // namespace

std::string VmShared::pod_share() {
    std::string dir = agent_path("pod");
    if (!pod_share_mounted) {
        mkdir_p(dir, 0700);
        if (::mount(kPodShareTag, dir.c_str(), "9p", 0, kNinePOptions) < 0)
            throw SysError(errno, "mount the pod's share (9p tag {}) on {}", kPodShareTag, dir);
        pod_share_mounted = true;
    }
    return dir;
}

std::string VmShared::shm() {
    std::string dir = agent_path("shm");
    if (!shm_mounted) {
        mkdir_p(dir, 0700);
        if (::mount("shm", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, kShmOptions) < 0)
            throw SysError(errno, "mount the pod's /dev/shm (tmpfs) on {}", dir);
        shm_mounted = true;
    }
    return dir;
}

Container::Container(ttrpc::EventLoop& loop, VmShared& shared, const v1::CreateContainerRequest& req, pid_t namespace_pid)
    : loop_(loop), shared_(shared), id_(req.id()) {
    runtime::validate_container_id(id_);
    ctx_.root = "/run/mogu";
    dir_ = agent_path("c/" + id_);
    mkdir_p(dir_, 0700);
    rootfs_ = path("rootfs");
    try {
        mount_rootfs(req.rootfs(), rootfs_, shared_);
    } catch (...) {
        remove_tree(dir_);
        throw;
    }
    try {
        GuestConfigInputs in{id_, rootfs_, {}};
        in.namespace_pid = namespace_pid;
        in.vm_network = req.vm_network();
        for (int i = 0; i < req.files_size(); i++) {
            const auto& f = req.files(i);
            std::string copy = path(fmt::format("files/{}-{}", i, basename_of(f.source())));
            mkdir_p(dirname_of(copy), 0755);
            write_file(copy, f.content(), f.mode() ? f.mode() & 07777 : 0644);
            in.file_sources[f.source()] = copy;
        }
        if (!req.shm_source().empty()) in.file_sources[req.shm_source()] = shared_.shm();
        for (const auto& d : req.shared_dirs()) {
            if (d.subpath().empty() || d.subpath().find("..") != std::string::npos)
                throw StatusError(Code::invalid_argument, "shared directory subpath {} is not in the pod's share", d.subpath());
            in.file_sources[d.source()] = path_join(shared_.pod_share(), d.subpath());
        }
        GuestConfig cfg = guest_config(req.config_json(), in);
        for (auto& d : cfg.dropped) log::info("config.json: {} does not apply inside the VM; left out", d);
        std::string bundle = path("bundle");
        mkdir_p(bundle, 0700);
        write_file(path_join(bundle, "config.json"), cfg.json, 0600);

        JsonDoc doc = JsonDoc::parse(req.config_json(), "config.json");
        auto process_json = doc.root().get("process");
        bool terminal = process_json && json_terminal(*process_json);
        procs_[""] = spawn("", terminal, "create", [&](const std::string& pid_file, const std::string& console) {
            runtime::CreateOptions o;
            o.id = id_;
            o.bundle = bundle;
            o.pid_file = pid_file;
            o.console_socket = console;
            runtime::create(ctx_, o);
        });
    } catch (...) {
        // Not through a rootfs still mounted: that would delete its files.
        if (::umount2(rootfs_.c_str(), MNT_DETACH) == 0 || errno == EINVAL) remove_tree(dir_);
        throw;
    }
}

Container::~Container() = default;

std::string Container::path(const std::string& name) const { return path_join(dir_, name); }

pid_t Container::init_pid() const {
    auto it = procs_.find("");
    return it == procs_.end() ? 0 : it->second->pid;
}

bool Container::init_exited() const {
    auto it = procs_.find("");
    return it == procs_.end() || it->second->exit_code.has_value();
}

void Container::destroy() {
    try {
        runtime::remove(ctx_, id_, true);  // kills what still runs, removes its cgroup and state
    } catch (const std::exception& e) {
        log::warn("delete container {} in the guest: {}", id_, e.what());
    }
    // Every process was SIGKILLed and reaped by now, or soon: callers still waiting get 137.
    for (auto& [_, p] : procs_) {
        if (p->exit_code) continue;
        p->exit_code = 128 + SIGKILL;
        v1::WaitResponse resp;
        resp.set_exit_code(*p->exit_code);
        for (auto& call : p->waiters)
            if (call->connected()) call->reply(resp);
        p->waiters.clear();
    }
    if (::umount2(rootfs_.c_str(), MNT_DETACH) < 0 && errno != EINVAL) {
        // Removing the tree now would delete the rootfs's files through the mount.
        log::warn("unmount {}: {}; its directory is left", rootfs_, strerror(errno));
        return;
    }
    remove_tree(dir_);
}

std::unique_ptr<GuestProcess> Container::spawn(
    const std::string& exec_id, bool terminal, const std::string& what,
    const std::function<void(const std::string&, const std::string&)>& fn) {
    auto p = std::make_unique<GuestProcess>();
    p->exec_id = exec_id;
    p->terminal = terminal;
    int seq = next_seq_++;
    std::string pid_file = path(fmt::format("pid-{}", seq));
    if (terminal) {
        std::string console = path(fmt::format("console-{}.sock", seq));
        UniqueFd listener = listen_console(console);
        call_in_child(what, {}, [&] { fn(pid_file, console); });
        p->pty = accept_master(listener.get(), console);
        ::unlink(console.c_str());
        p->out = std::make_unique<OutputStream>(loop_, dup_fd(p->pty.get()));
        p->err = OutputStream::closed(loop_);
        p->in = std::make_unique<InputStream>(loop_, dup_fd(p->pty.get()));
        p->in->set_keep_open(true);
    } else {
        int in[2], out[2], err[2];
        check(pipe2(in, O_CLOEXEC), "pipe");
        UniqueFd in_r(in[0]), in_w(in[1]);
        check(pipe2(out, O_CLOEXEC), "pipe");
        UniqueFd out_r(out[0]), out_w(out[1]);
        check(pipe2(err, O_CLOEXEC), "pipe");
        UniqueFd err_r(err[0]), err_w(err[1]);
        call_in_child(what, {in_r.get(), out_w.get(), err_w.get()}, [&] { fn(pid_file, ""); });
        p->out = std::make_unique<OutputStream>(loop_, std::move(out_r));
        p->err = std::make_unique<OutputStream>(loop_, std::move(err_r));
        p->in = std::make_unique<InputStream>(loop_, std::move(in_w));
    }
    p->pid = read_pid(pid_file);
    ::unlink(pid_file.c_str());
    auto finished = [this] { check_finished(); };
    p->out->on_finished = finished;
    p->err->on_finished = finished;
    if (auto it = shared_.early_exits.find(p->pid); it != shared_.early_exits.end()) {
        int status = it->second;
        shared_.early_exits.erase(it);
        record_exit(*p, status);
    }
    return p;
}

GuestProcess& Container::process(const std::string& exec_id) {
    auto it = procs_.find(exec_id);
    if (it == procs_.end()) throw StatusError(Code::not_found, "container {} has no process {}", id_, exec_id);
    return *it->second;
}

void Container::start() {
    GuestProcess& init = process("");
    if (started_) throw StatusError(Code::failed_precondition, "container {} is already started", id_);
    if (init.exit_code) throw StatusError(Code::failed_precondition, "container {} has stopped", id_);
    runtime::start(ctx_, id_);
    started_ = true;
}

void Container::exec(const std::string& exec_id, const std::string& process_json) {
    if (exec_id.empty()) throw StatusError(Code::invalid_argument, "exec needs an exec id");
    if (procs_.count(exec_id)) throw StatusError(Code::already_exists, "process {} already exists", exec_id);
    if (process("").exit_code) throw StatusError(Code::failed_precondition, "container {} has stopped", id_);
    JsonDoc doc = JsonDoc::parse(process_json, "process.json");
    runtime::ExecOptions o;
    o.id = id_;
    o.process = oci::parse_process(doc.root());
    o.detach = true;
    procs_[exec_id] = spawn(exec_id, o.process.terminal, "exec", [&](const std::string& pid_file, const std::string& console) {
        o.pid_file = pid_file;
        o.console_socket = console;
        runtime::exec(ctx_, o);
    });
}

void Container::signal(const std::string& exec_id, int sig, bool all) {
    GuestProcess& p = process(exec_id);
    if (p.exit_code) throw StatusError(Code::not_found, "process {} has exited", exec_id.empty() ? id_ : exec_id);
    if (exec_id.empty()) {
        runtime::kill(ctx_, id_, sig, all);
    } else if (::kill(p.pid, sig) < 0) {
        throw SysError(errno, "kill process {} (pid {}) with signal {}", exec_id, p.pid, sig);
    }
}

void Container::wait(const std::string& exec_id, const ttrpc::CallPtr& call) {
    GuestProcess& p = process(exec_id);
    if (!p.exit_code) {
        p.waiters.push_back(call);
        return;
    }
    call->reply(wait_response(p));
    p.wait_answered = true;
    check_finished();
}

void Container::read(const std::string& exec_id, uint32_t stream, const ttrpc::CallPtr& call) {
    GuestProcess& p = process(exec_id);
    if (stream == 1) p.out->read(call);
    else if (stream == 2) p.err->read(call);
    else throw StatusError(Code::invalid_argument, "stream {} is neither 1 (stdout) nor 2 (stderr)", stream);
}

void Container::write_stdin(const std::string& exec_id, const ttrpc::CallPtr& call, std::string data) {
    process(exec_id).in->write(call, std::move(data));
}

void Container::close_stdin(const std::string& exec_id) { process(exec_id).in->close(); }

void Container::resize(const std::string& exec_id, uint32_t width, uint32_t height) {
    GuestProcess& p = process(exec_id);
    if (!p.pty) throw StatusError(Code::failed_precondition, "process {} has no terminal", exec_id.empty() ? id_ : exec_id);
    struct winsize ws {};
    ws.ws_col = uint16_t(width);
    ws.ws_row = uint16_t(height);
    check(ioctl(p.pty.get(), TIOCSWINSZ, &ws), "resize the terminal of {}", exec_id.empty() ? id_ : exec_id);
}

v1::StateResponse Container::state() const {
    v1::StateResponse r;
    auto it = procs_.find("");
    if (it == procs_.end()) return r;
    const GuestProcess& init = *it->second;
    r.set_pid(init.pid);
    if (init.exit_code) {
        r.set_status("stopped");
        r.set_exit_code(*init.exit_code);
    } else {
        r.set_status(paused_ ? "paused" : started_ ? "running" : "created");
    }
    return r;
}

std::vector<pid_t> Container::pids() const { return runtime::container_pids(ctx_, id_); }

void Container::pause() {
    runtime::pause(ctx_, id_);
    paused_ = true;
}

void Container::resume() {
    runtime::resume(ctx_, id_);
    paused_ = false;
}

void Container::update(const std::string& resources_json) {
    JsonDoc doc = JsonDoc::parse(resources_json, "resources");
    runtime::update(ctx_, id_, oci::parse_resources(doc.root()));
}

std::string Container::stats_json() const { return runtime::stats_event_json(id_, runtime::stats(ctx_, id_)); }

bool Container::child_exited(pid_t pid, int wait_status) {
    for (auto& [_, p] : procs_) {
        if (p->pid == pid && !p->exit_code) {
            record_exit(*p, wait_status);
            return true;
        }
    }
    return false;
}

void VmShared::early_exit(pid_t pid, int wait_status) {
    if (early_exits.size() >= kMaxEarlyExits) early_exits.erase(early_exits.begin());
    early_exits[pid] = wait_status;
}

void Container::record_exit(GuestProcess& p, int wait_status) {
    p.exit_code = runtime::exit_code_of(wait_status);
    log::info("process {} (pid {}) exited with {}", p.exec_id.empty() ? "init" : p.exec_id, p.pid, *p.exit_code);
    if (p.exec_id.empty() && *p.exit_code != 0) {
        // What a host shim learns from its OOM watcher: here the cgroup's count, while it exists
        // (guest_config puts every container at /mogu/<id> of the guest's cgroup2), and whom the
        // OOM killer took, from the guest's kernel log (logged before the kill, so there by now).
        std::string cgroup = fmt::format("/mogu/{}", id_);
        std::string events = "/sys/fs/cgroup" + cgroup + "/memory.events";
        if (auto text = read_file_if_exists(events)) {
            for (auto& line : split(*text, '\n')) {
                auto words = split(line, ' ');
                if (words.size() == 2 && words[0] == "oom_kill") p.oom_killed = parse_int(words[1]).value_or(0) > 0;
            }
            if (p.oom_killed) p.oom_kill = last_oom_kill_in(cgroup);
        } else {
            log::warn("container {}: {} is missing: its OOM kills are not known", id_, events);
        }
    }
    v1::WaitResponse resp = wait_response(p);
    for (auto& call : p.waiters) {
        if (!call->connected()) continue;
        call->reply(resp);
        p.wait_answered = true;
    }
    p.waiters.clear();
    // The exec'd processes of a stopped container cannot be waited for any longer than it.
    check_finished();
}

v1::WaitResponse Container::wait_response(const GuestProcess& p) {
    v1::WaitResponse resp;
    resp.set_exit_code(*p.exit_code);
    resp.set_oom_killed(p.oom_killed);
    if (p.oom_kill) {
        resp.set_oom_process(p.oom_kill->task);
        resp.set_oom_pid(p.oom_kill->pid);
    }
    return resp;
}

void Container::check_finished() {
    auto it = procs_.find("");
    if (finished_ || it == procs_.end()) return;
    GuestProcess& init = *it->second;
    if (!init.exit_code || !init.wait_answered || !init.out->finished() || !init.err->finished()) return;
    finished_ = true;
    if (on_finished) on_finished();
}

}  // namespace mogu::vm::agent
