#include "shim/task/task_service.h"

#include "common/error.h"
#include "common/failpoint.h"
#include "common/files.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/vm_annotations.h"
#include "shim/proto/messages.h"
#include "shim/task/console_socket.h"
#include "shim/task/container_load.h"
#include "shim/task/metrics.h"
#include "shim/task/vm_rootfs.h"
#include "shim/task/wire_values.h"
#include "shim/version.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

namespace mogu::shim {
namespace task = pb::task;
namespace ev = pb::events;
namespace types = pb::task_types;
using ttrpc::CallPtr;
using ttrpc::Code;
using ttrpc::StatusError;

namespace {

// The messages runc, mogu and mogu-vm give for a kill of a process that has already exited.
bool says_process_is_gone(std::string_view message) {
    return message.find("not running") != std::string_view::npos ||
           message.find("already finished") != std::string_view::npos ||
           message.find("no such process") != std::string_view::npos;
}

uint32_t exit_code_of(int wait_status) {
    if (WIFEXITED(wait_status)) return uint32_t(WEXITSTATUS(wait_status));
    if (WIFSIGNALED(wait_status)) return 128u + uint32_t(WTERMSIG(wait_status));
    return 255;
}

// Whether the spec gives the container its own pid namespace (then the kernel ends every other
// process when the init exits; otherwise the shim must).
// Where the container's LXCFS views come from, when it may have any: its io.mogu.lxcfs
// annotation, else the shim's Lxcfs option, asks for them.
std::optional<std::string> lxcfs_mount_point_for(const std::string& bundle, const RuntimeOptions& opts) {
    std::string mode = opts.lxcfs;
    try {
        std::string path = path_join(bundle, "config.json");
        JsonDoc doc = JsonDoc::parse(read_file(path), path);
        auto annotations = doc.root().get("annotations");
        if (annotations && annotations->is_object())
            if (auto v = annotations->get("io.mogu.lxcfs"); v && v->is_string()) mode = v->as_string();
    } catch (const std::exception& e) {
        log::warn("read the io.mogu.lxcfs annotation of {}: {}", bundle, e.what());
    }
    if (mode != "true" && mode != "required") return std::nullopt;
    return opts.lxcfs_path.empty() ? std::string("/var/lib/lxcfs") : opts.lxcfs_path;
}

bool has_own_pid_namespace(const std::string& bundle) {
    try {
        std::string path = path_join(bundle, "config.json");
        JsonDoc doc = JsonDoc::parse(read_file(path), path);
        auto linux = doc.root().get("linux");
        if (!linux) return false;
        auto nss = linux->get("namespaces");
        if (!nss) return false;
        for (auto& ns : nss->elements())
            if (ns.string_or("type", "") == "pid" && ns.string_or("path", "").empty()) return true;
    } catch (const std::exception& e) {
        log::warn("read pid namespace of {}: {}", bundle, e.what());
    }
    return false;
}

types::Status wire_state(const Container& c, const Process& p) {
    switch (p.state) {
        case ProcessState::created: return CONTAINERD__V1__TYPES__STATUS__CREATED;
        case ProcessState::running:
            return (p.exec_id.empty() && c.paused) ? CONTAINERD__V1__TYPES__STATUS__PAUSED
                                                   : CONTAINERD__V1__TYPES__STATUS__RUNNING;
        case ProcessState::stopped: return CONTAINERD__V1__TYPES__STATUS__STOPPED;
    }
    return CONTAINERD__V1__TYPES__STATUS__UNKNOWN;
}

std::vector<RootfsMount> rootfs_of(const task::CreateTaskRequest& req) {
    std::vector<RootfsMount> mounts;
    for (size_t i = 0; i < req.n_rootfs; i++) {
        const auto& m = *req.rootfs[i];
        mounts.push_back({std::string(pbc::str(m.type)), std::string(pbc::str(m.source)), std::string(pbc::str(m.target)),
                          std::vector<std::string>(m.options, m.options + m.n_options)});
    }
    return mounts;
}

void reply_empty(const CallPtr& call) { call->reply(pbc::make<pb::wkt::Empty>()); }

}  // namespace

TaskService::TaskService(ttrpc::EventLoop& loop, Publisher& events, std::string ns, std::function<void()> on_shutdown)
    : loop_(loop),
      events_(events),
      ns_(std::move(ns)),
      on_shutdown_(std::move(on_shutdown)),
      lxcfs_watch_(loop, [this](const std::string& mount_point) { repair_lxcfs_views(mount_point); }) {}

void TaskService::repair_lxcfs_views(const std::string& mount_point) {
    for (auto& [id, c] : containers_) {
        if (!c->lxcfs_mount_point.empty() && c->lxcfs_mount_point != mount_point) continue;
        if (c->lxcfs_mount_point.empty() || c->init.state == ProcessState::stopped) continue;
        try {
            std::string said = c->runtime.lxcfs_repair(id);
            log::info("container {}: {}", id, std::string(trim(said)));
        } catch (const std::exception& e) {
            log::warn("container {}: repair of its LXCFS views failed: {}", id, e.what());
        }
    }
}

TaskService::~TaskService() = default;

void TaskService::register_methods(ttrpc::Server& server) {
    auto bind = [&](const char* method, void (TaskService::*fn)(const CallPtr&)) {
        server.register_method(kService, method, [this, fn, method](const CallPtr& call) {
            try {
                (this->*fn)(call);
            } catch (const StatusError& e) {
                // containerd probes with Delete/State after failures: "not found" is routine.
                if (e.code() == Code::not_found) log::debug("{}: {}", method, e.what());
                else log::warn("{}: {}", method, e.what());
                throw;
            } catch (const std::exception& e) {
                log::warn("{}: {}", method, e.what());
                throw;
            }
        });
    };
    bind("State", &TaskService::state);
    bind("Create", &TaskService::create);
    bind("Start", &TaskService::start);
    bind("Delete", &TaskService::remove);
    bind("Pids", &TaskService::pids);
    bind("Pause", &TaskService::pause);
    bind("Resume", &TaskService::resume);
    bind("Checkpoint", &TaskService::checkpoint);
    bind("Kill", &TaskService::kill);
    bind("Exec", &TaskService::exec);
    bind("ResizePty", &TaskService::resize_pty);
    bind("CloseIO", &TaskService::close_io);
    bind("Update", &TaskService::update);
    bind("Wait", &TaskService::wait);
    bind("Stats", &TaskService::stats);
    bind("Connect", &TaskService::connect);
    bind("Shutdown", &TaskService::shutdown);
}

Container& TaskService::container(const std::string& id) {
    auto it = containers_.find(id);
    if (it == containers_.end()) throw StatusError(Code::not_found, "container {}: not found", id);
    return *it->second;
}

Process& TaskService::process(Container& c, const std::string& exec_id) {
    if (exec_id.empty()) return c.init;
    auto it = c.execs.find(exec_id);
    if (it == c.execs.end()) throw StatusError(Code::not_found, "process {} of container {}: not found", exec_id, c.id);
    return *it->second;
}

void TaskService::state(const CallPtr& call) {
    auto req = call->decode<task::StateRequest>();
    Container& c = container(req->id);
    Process& p = process(c, req->exec_id);
    pbc::Arena arena;
    auto r = pbc::make<task::StateResponse>();
    r.id = arena.str(p.exec_id.empty() ? c.id : p.exec_id);
    r.exec_id = arena.str(p.exec_id);
    r.bundle = arena.str(c.bundle);
    r.pid = uint32_t(p.pid);
    r.status = wire_state(c, p);
    r.stdin = arena.str(p.stdio.in);
    r.stdout = arena.str(p.stdio.out);
    r.stderr = arena.str(p.stdio.err);
    r.terminal = p.stdio.terminal;
    if (p.state == ProcessState::stopped) {
        r.exit_status = p.exit_status;
        r.exited_at = wire_timestamp(arena, p.exited_at);
    }
    call->reply(r);
}

void TaskService::create(const CallPtr& call) {
    auto req = call->decode<task::CreateTaskRequest>();
    std::string id(pbc::str(req->id));
    if (id.empty()) throw StatusError(Code::invalid_argument, "create: the container id is empty");
    if (containers_.count(id)) throw StatusError(Code::already_exists, "container {}: already exists", id);
    std::string bundle(pbc::str(req->bundle));
    std::string checkpoint(pbc::str(req->checkpoint));
    bool restoring = !checkpoint.empty();
    if (restoring && runs_in_vm(bundle))
        throw StatusError(Code::unimplemented, "restore {}: containers in VMs (io.mogu.isolation=vm) cannot be restored from a checkpoint yet", id);
    if (!pbc::str(req->parent_checkpoint).empty())
        log::debug("restore {}: parent checkpoint {} not used", id, pbc::str(req->parent_checkpoint));
    RuntimeOptions opts;
    try {
        opts = options_from_any(req->options, ns_);
    } catch (const Error& e) {
        throw StatusError(Code::invalid_argument, "create {}: {}", id, e.what());
    }
    save_options(bundle, opts);
    failpoint("shim.create.options");
    auto c = std::make_unique<Container>(id, bundle, RuntimeCli(opts, path_join(bundle, "log.json")));
    c->init.stdio = {req->stdin, req->stdout, req->stderr, bool(req->terminal)};

    // A VM gets the snapshotter's block device itself as its disk: not mounted here (vm_rootfs.h).
    std::vector<RootfsMount> mounts = rootfs_of(*req);
    std::optional<RootfsDevice> device = runs_in_vm(bundle) ? rootfs_device_of(mounts) : std::nullopt;
    if (device) pass_rootfs_device(bundle, *device);
    RootfsMounts rootfs(device ? std::vector<RootfsMount>() : mounts, path_join(bundle, "rootfs"));
    failpoint("shim.create.rootfs");
    c->init.io = std::make_unique<ProcessIo>(c->init.stdio);
    if (restoring) {
        // As runc's shim: nothing runs until Start, which restores instead of starting.
        c->restore_images = checkpoint;
        c->in_runtime = false;
    } else {
        std::unique_ptr<ConsoleSocket> console;
        if (req->terminal) console = std::make_unique<ConsoleSocket>();
        std::string pid_file = path_join(bundle, "init.pid");
        failpoint("shim.create.runtime");
        c->runtime.create(c->id, bundle, pid_file, console ? console->path() : "", c->init.io->child_stdio());
        try {
            failpoint("shim.create.created");
            c->init.io->runtime_done();
            c->init.pid = read_pid_file(pid_file);
            if (console) c->init.io->attach_console(console->receive_master(), loop_);
        } catch (...) {
            try {
                c->runtime.remove(c->id, true);
            } catch (const std::exception& e) {
                log::warn("clean up after failed create of {}: {}", c->id, e.what());
            }
            throw;
        }
        watch_init(*c);
    }
    failpoint("shim.create.reply");
    rootfs.release();
    c->rootfs_mounted = !device && !mounts.empty();

    auto e = pbc::make<ev::TaskCreate>();
    e.container_id = req->id;  // the request's fields: it outlives the event
    e.bundle = req->bundle;
    e.n_rootfs = req->n_rootfs;
    e.rootfs = req->rootfs;
    auto io = pbc::make<ev::TaskIO>();
    io.stdin = req->stdin;
    io.stdout = req->stdout;
    io.stderr = req->stderr;
    io.terminal = req->terminal;
    e.io = &io;
    e.checkpoint = req->checkpoint;
    e.pid = uint32_t(c->init.pid);
    events_.publish("/tasks/create", e);

    auto r = pbc::make<task::CreateTaskResponse>();
    r.pid = uint32_t(c->init.pid);
    log::debug("created {} with init {}{}{}", c->id, c->init.pid, req->terminal ? ", terminal" : "", restoring ? ", to restore at start" : "");
    containers_[c->id] = std::move(c);
    call->reply(r);
}

void TaskService::watch_init(Container& c) {
    c.own_pid_namespace = has_own_pid_namespace(c.bundle);
    if (auto mount_point = lxcfs_mount_point_for(c.bundle, c.runtime.options())) {
        c.lxcfs_mount_point = *mount_point;
        try {
            lxcfs_watch_.watch(*mount_point);
        } catch (const std::exception& e) {
            log::warn("container {}: LXCFS restarts will not be noticed: {}", c.id, e.what());
        }
    }
    try {
        std::string id = c.id;
        c.cgroup = std::make_unique<ContainerCgroup>(loop_, c.init.pid, [this, id] {
            auto e = pbc::make<ev::TaskOOM>();
            e.container_id = pbc::borrow(id);
            events_.publish("/tasks/oom", e);
        });
    } catch (const std::exception& e) {
        log::warn("container {}: no stats or OOM events: {}", c.id, e.what());
    }
}

void TaskService::start_process(Container& c, Process& p) {
    if (p.state != ProcessState::created)
        throw StatusError(Code::failed_precondition, "process {} of {} was already started", p.exec_id.empty() ? c.id : p.exec_id, c.id);
    if (p.exec_id.empty()) {
        failpoint("shim.start.runtime");
        if (c.restore_images.empty()) c.runtime.start(c.id);
        else restore_init(c);
        failpoint("shim.start.started");
        p.state = ProcessState::running;
        pbc::Arena arena;
        auto e = pbc::make<ev::TaskStart>();
        e.container_id = arena.str(c.id);
        e.pid = uint32_t(p.pid);
        events_.publish("/tasks/start", e);
        return;
    }
    if (c.init.state != ProcessState::running)
        throw StatusError(Code::failed_precondition, "exec {} in {}: the container is not running", p.exec_id, c.id);
    std::string spec_file = path_join(c.bundle, "." + p.exec_id + ".process.json");
    std::string pid_file = path_join(c.bundle, p.exec_id + ".pid");
    write_file(spec_file, p.spec_json, 0600);
    p.io = std::make_unique<ProcessIo>(p.stdio);
    std::unique_ptr<ConsoleSocket> console;
    if (p.stdio.terminal) console = std::make_unique<ConsoleSocket>();
    try {
        c.runtime.exec(c.id, spec_file, pid_file, console ? console->path() : "", p.io->child_stdio());
    } catch (...) {
        unlink(spec_file.c_str());
        p.io.reset();
        throw;
    }
    unlink(spec_file.c_str());
    p.io->runtime_done();
    p.pid = read_pid_file(pid_file);
    unlink(pid_file.c_str());
    p.state = ProcessState::running;
    if (console) {
        try {
            p.io->attach_console(console->receive_master(), loop_);
        } catch (...) {
            ::kill(p.pid, SIGKILL);
            throw;
        }
    }
    pbc::Arena arena;
    auto e = pbc::make<ev::TaskExecStarted>();
    e.container_id = arena.str(c.id);
    e.exec_id = arena.str(p.exec_id);
    e.pid = uint32_t(p.pid);
    events_.publish("/tasks/exec-started", e);
}

void TaskService::start(const CallPtr& call) {
    auto req = call->decode<task::StartRequest>();
    Container& c = container(req->id);
    Process& p = process(c, req->exec_id);
    start_process(c, p);
    auto r = pbc::make<task::StartResponse>();
    r.pid = uint32_t(p.pid);
    call->reply(r);
}

void TaskService::remove(const CallPtr& call) {
    auto req = call->decode<task::DeleteRequest>();
    Container& c = container(req->id);
    Process& p = process(c, req->exec_id);
    if (p.state == ProcessState::running)
        throw StatusError(Code::failed_precondition, "cannot delete running process {} of {}", p.exec_id.empty() ? c.id : p.exec_id, c.id);
    pbc::Arena arena;
    auto r = pbc::make<task::DeleteResponse>();
    if (!p.exec_id.empty()) {
        r.pid = uint32_t(p.pid);
        r.exit_status = p.exit_status;
        r.exited_at = wire_timestamp(arena, p.exited_at);
        c.execs.erase(p.exec_id);
        return call->reply(r);
    }
    bool was_created = p.state == ProcessState::created;
    failpoint("shim.delete.runtime");
    if (c.in_runtime) c.runtime.remove(c.id, true);
    failpoint("shim.delete.removed");
    if (was_created) {
        // The runtime killed the waiting init; collect it here so its exit is not reported later.
        // (A container created from a checkpoint and never started has no process: pid 0.)
        int status = SIGKILL;  // as signalled, should it not be collected in time
        for (int i = 0; p.pid > 0 && i < 500; i++) {
            pid_t r = waitpid(p.pid, &status, WNOHANG);
            if (r == p.pid || (r < 0 && errno != EINTR)) break;
            usleep(10000);
        }
        p.state = ProcessState::stopped;
        p.exit_status = exit_code_of(status);
        p.exited_at = now_timestamp();
        answer_waiters(p);
    }
    c.cgroup.reset();
    if (c.rootfs_mounted) unmount_all(path_join(c.bundle, "rootfs"));
    failpoint("shim.delete.unmounted");
    r.pid = uint32_t(p.pid);
    r.exit_status = p.exit_status;
    r.exited_at = wire_timestamp(arena, p.exited_at);
    auto e = pbc::make<ev::TaskDelete>();
    e.container_id = arena.str(c.id);
    e.pid = uint32_t(p.pid);
    e.exit_status = p.exit_status;
    e.exited_at = r.exited_at;
    std::string id = c.id;
    containers_.erase(id);  // c and p are gone from here on
    events_.publish("/tasks/delete", e);
    call->reply(r);
}

void TaskService::pids(const CallPtr& call) {
    auto req = call->decode<task::PidsRequest>();
    Container& c = container(req->id);
    std::vector<pid_t> pids = c.runtime.ps(c.id);
    pbc::Arena arena;
    auto r = pbc::make<task::PidsResponse>();
    r.n_processes = pids.size();
    r.processes = arena.array<types::ProcessInfo>(pids.size());
    for (size_t i = 0; i < pids.size(); i++) {
        auto* info = r.processes[i] = arena.make<types::ProcessInfo>();
        info->pid = uint32_t(pids[i]);
        for (auto& [exec_id, p] : c.execs) {
            if (p->pid != pids[i]) continue;
            auto d = pbc::make<pb::runc::ProcessDetails>();
            d.exec_id = arena.str(exec_id);
            info->info = wire_any(arena, pbc::type_name<pb::runc::ProcessDetails>(), pbc::pack(d));
        }
    }
    call->reply(r);
}

void TaskService::pause(const CallPtr& call) {
    auto req = call->decode<task::PauseRequest>();
    Container& c = container(req->id);
    if (c.init.state != ProcessState::running)
        throw StatusError(Code::failed_precondition, "pause {}: the container is not running", c.id);
    c.runtime.pause(c.id);
    c.paused = true;
    auto e = pbc::make<ev::TaskPaused>();
    e.container_id = pbc::borrow(c.id);
    events_.publish("/tasks/paused", e);
    reply_empty(call);
}

void TaskService::resume(const CallPtr& call) {
    auto req = call->decode<task::ResumeRequest>();
    Container& c = container(req->id);
    if (!c.paused) throw StatusError(Code::failed_precondition, "resume {}: the container is not paused", c.id);
    c.runtime.resume(c.id);
    c.paused = false;
    auto e = pbc::make<ev::TaskResumed>();
    e.container_id = pbc::borrow(c.id);
    events_.publish("/tasks/resumed", e);
    reply_empty(call);
}

void TaskService::kill(const CallPtr& call) {
    auto req = call->decode<task::KillRequest>();
    Container& c = container(req->id);
    Process& p = process(c, req->exec_id);
    if (req->signal <= 0 || req->signal >= uint32_t(NSIG))
        throw StatusError(Code::invalid_argument, "kill {}: no such signal {}", c.id, req->signal);
    int sig = int(req->signal);
    if (p.state == ProcessState::stopped && !(p.exec_id.empty() && req->all))
        throw StatusError(Code::not_found, "process {} of {}: already finished", p.exec_id.empty() ? c.id : p.exec_id, c.id);
    if (p.exec_id.empty()) {
        try {
            if (c.in_runtime) c.runtime.kill(c.id, sig, req->all);  // else nothing of it runs
        } catch (const Error& e) {
            // As containerd's runc shim (checkKillError): a runtime that says the process is gone
            // answers NotFound, which containerd's Delete(WithProcessKill) and the CRI plugin's
            // exit handler take as done. mogu-vm's `kill --all` of a stopped container says so;
            // anything else would have CRI retry the exit forever and StopContainer hang.
            if (!says_process_is_gone(e.what())) throw;
            throw StatusError(Code::not_found, "process {} of {}: already finished ({})", c.id, c.id, e.what());
        }
    } else {
        if (p.state == ProcessState::created)
            throw StatusError(Code::failed_precondition, "process {} of {}: not started", p.exec_id, c.id);
        if (::kill(p.pid, sig) < 0 && errno != ESRCH) throw SysError(errno, "kill exec {} (pid {})", p.exec_id, p.pid);
    }
    reply_empty(call);
}

void TaskService::exec(const CallPtr& call) {
    auto req = call->decode<task::ExecProcessRequest>();
    Container& c = container(req->id);
    std::string exec_id(pbc::str(req->exec_id));
    if (exec_id.empty()) throw StatusError(Code::invalid_argument, "exec in {}: the exec id is empty", c.id);
    if (exec_id.find('/') != std::string::npos || exec_id[0] == '.')
        throw StatusError(Code::invalid_argument, "exec in {}: invalid exec id {}", c.id, exec_id);
    if (c.execs.count(exec_id)) throw StatusError(Code::already_exists, "exec {} in {}: already exists", exec_id, c.id);
    if (c.init.state == ProcessState::stopped)
        throw StatusError(Code::failed_precondition, "exec in {}: the container has stopped", c.id);
    std::string_view spec = req->spec ? pbc::bytes(req->spec->value) : std::string_view();
    if (spec.empty()) throw StatusError(Code::invalid_argument, "exec {} in {}: no process spec", exec_id, c.id);
    auto p = std::make_unique<Process>();
    p->exec_id = exec_id;
    p->stdio = {req->stdin, req->stdout, req->stderr, bool(req->terminal)};
    p->spec_json = spec;
    c.execs[exec_id] = std::move(p);
    auto e = pbc::make<ev::TaskExecAdded>();
    e.container_id = pbc::borrow(c.id);
    e.exec_id = req->exec_id;
    events_.publish("/tasks/exec-added", e);
    reply_empty(call);
}

void TaskService::resize_pty(const CallPtr& call) {
    auto req = call->decode<task::ResizePtyRequest>();
    Container& c = container(req->id);
    Process& p = process(c, req->exec_id);
    if (p.io) p.io->resize(req->width, req->height);
    reply_empty(call);
}

void TaskService::close_io(const CallPtr& call) {
    auto req = call->decode<task::CloseIORequest>();
    Container& c = container(req->id);
    Process& p = process(c, req->exec_id);
    if (req->stdin && p.io) p.io->close_stdin();
    reply_empty(call);
}

void TaskService::update(const CallPtr& call) {
    auto req = call->decode<task::UpdateTaskRequest>();
    Container& c = container(req->id);
    std::string_view resources = req->resources ? pbc::bytes(req->resources->value) : std::string_view();
    if (resources.empty()) throw StatusError(Code::invalid_argument, "update {}: no resources given", c.id);
    c.runtime.update(c.id, std::string(resources));
    reply_empty(call);
}

void TaskService::wait(const CallPtr& call) {
    auto req = call->decode<task::WaitRequest>();
    Container& c = container(req->id);
    Process& p = process(c, req->exec_id);
    p.waiters.push_back(call);
    if (p.state == ProcessState::stopped) answer_waiters(p);  // else process_exited() will
}

void TaskService::stats(const CallPtr& call) {
    auto req = call->decode<task::StatsRequest>();
    Container& c = container(req->id);
    auto reply = [&](const PackedAny& stats) {
        pbc::Arena arena;
        auto r = pbc::make<task::StatsResponse>();
        r.stats = wire_any(arena, stats.type_url, stats.value);
        call->reply(r);
    };
    if (runs_in_vm(c.bundle) && c.init.state != ProcessState::stopped) {
        // The container's own cgroup in its guest (cgroup2), as the VM's runtime reports it; the
        // host cgroup holds the keeper (and QEMU), what the VM costs the host, not what runs in it.
        PackedAny stats;
        try {
            runtime::ContainerStats s = c.runtime.stats(c.id);
            stats = metrics_any(cgroups::Layout::v2, s.cgroup, s.load);
        } catch (const Error& e) {
            throw StatusError(Code::unavailable, "stats {}: {}", c.id, e.what());
        }
        return reply(stats);
    }
    if (!c.cgroup) throw StatusError(Code::not_found, "stats {}: the container's cgroup could not be opened", c.id);
    std::optional<runtime::lxcfs::LoadAverage> load;
    if (!c.lxcfs_mount_point.empty() && c.init.state != ProcessState::stopped)
        load = container_load_average(c.init.pid, c.lxcfs_mount_point);
    PackedAny stats;
    try {
        stats = metrics_any(c.cgroup->layout(), c.cgroup->stats(), load);
    } catch (const Error& e) {
        throw StatusError(Code::unavailable, "stats {}: {}", c.id, e.what());
    }
    reply(stats);
}

void TaskService::connect(const CallPtr& call) {
    auto req = call->decode<task::ConnectRequest>();
    auto r = pbc::make<task::ConnectResponse>();
    r.shim_pid = uint32_t(getpid());
    r.version = pbc::borrow(kShimVersion);
    if (auto it = containers_.find(std::string(pbc::str(req->id))); it != containers_.end()) r.task_pid = uint32_t(it->second->init.pid);
    call->reply(r);
}

void TaskService::shutdown(const CallPtr& call) {
    auto req = call->decode<task::ShutdownRequest>();
    reply_empty(call);
    // Other containers still served by this shim keep it alive, unless told "now".
    if (!containers_.empty() && !req->now) return;
    loop_.post(on_shutdown_);
}

void TaskService::process_exited(Container& c, Process& p, int wait_status) {
    p.state = ProcessState::stopped;
    p.exit_status = exit_code_of(wait_status);
    p.exited_at = now_timestamp();
    if (p.io) p.io->process_exited();
    if (p.exec_id.empty() && !c.own_pid_namespace && c.in_runtime) {
        // Without its own pid namespace the container's other processes outlive the init.
        try {
            c.runtime.kill(c.id, SIGKILL, true);
        } catch (const std::exception& e) {
            log::warn("kill the remaining processes of {}: {}", c.id, e.what());
        }
    }
    if (p.exec_id.empty() && p.exit_status != 0 && c.in_runtime && runs_in_vm(c.bundle)) publish_guest_oom(c);
    pbc::Arena arena;
    auto e = pbc::make<ev::TaskExit>();
    e.container_id = arena.str(c.id);
    e.id = arena.str(p.exec_id.empty() ? c.id : p.exec_id);
    e.pid = uint32_t(p.pid);
    e.exit_status = p.exit_status;
    e.exited_at = wire_timestamp(arena, p.exited_at);
    events_.publish("/tasks/exit", e);
    answer_waiters(p);
}

void TaskService::answer_waiters(Process& p) {
    pbc::Arena arena;
    auto r = pbc::make<task::WaitResponse>();
    r.exit_status = p.exit_status;
    r.exited_at = wire_timestamp(arena, p.exited_at);
    for (auto& w : p.waiters) w->reply(r);
    p.waiters.clear();
}

// A VM container's OOM kills happen in its guest, where no watcher of ours sees them: its keeper
// records them at the init's exit, and the runtime's state says so. containerd's CRI plugin takes
// a /tasks/oom before the exit as the reason "OOMKilled", as for a host container.
void TaskService::publish_guest_oom(Container& c) {
    try {
        auto a = c.runtime.state_annotations(c.id);
        if (auto it = a.find(vm::kOomKilledAnnotation); it == a.end() || it->second != "true") return;
    } catch (const std::exception& e) {
        log::warn("container {}: did the OOM killer act in its VM? {}", c.id, e.what());
        return;
    }
    auto e = pbc::make<ev::TaskOOM>();
    e.container_id = pbc::borrow(c.id);
    events_.publish("/tasks/oom", e);
}

void TaskService::reap() {
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;
        bool known = false;
        for (auto& [id, c] : containers_) {
            if (c->init.pid == pid && c->init.state != ProcessState::stopped) {
                process_exited(*c, c->init, status);
                known = true;
                break;
            }
            for (auto& [eid, p] : c->execs) {
                if (p->pid == pid && p->state != ProcessState::stopped) {
                    process_exited(*c, *p, status);
                    known = true;
                    break;
                }
            }
            if (known) break;
        }
        if (!known) log::debug("reaped orphan {}", pid);
    }
}

}  // namespace mogu::shim
