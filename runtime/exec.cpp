// exec: a new process inside a running container's namespaces and cgroup.
#include "common/error.h"
#include "common/failpoint.h"
#include "common/files.h"
#include "common/log.h"
#include "runtime/child_process.h"
#include "runtime/clone_into_cgroup.h"
#include "runtime/container_cgroup.h"
#include "runtime/create.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/exec_cgroup.h"
#include "runtime/hooks.h"
#include "runtime/security/seccomp_listener.h"
#include "runtime/process_identity.h"
#include "runtime/linux/namespaces.h"
#include "runtime/linux/process_setup.h"
#include "runtime/runtime.h"
#include "runtime/security/capabilities.h"
#include "runtime/security/seccomp.h"
#include "runtime/signal_forwarder.h"
#include "runtime/status.h"
#include "runtime/sync_socket.h"
#include "runtime/terminal.h"
#include "runtime/tty_proxy.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {
namespace {

using NS = oci::NamespaceType;

struct ExecPlan {
    const oci::Process* process;
    const std::vector<NamespaceToJoin>* namespaces;
    std::optional<CapabilitySets> caps;
    const SeccompProgram* seccomp = nullptr;
    int sync_fd = -1;
    int console_fd = -1;
    bool console_proxied = false;  // our own socketpair: a foreground exec proxies the pty
    int preserve_fds = 0;
    const std::vector<std::string>* v1_cgroup_dirs = nullptr;
};

[[noreturn]] void exec_child(const ExecPlan& plan) {
    const oci::Process& proc = *plan.process;
    std::string message;
    try {
        std::vector<int> keep = {plan.sync_fd, plan.console_fd, log::sink_fd()};
        for (const auto& j : *plan.namespaces) keep.push_back(j.fd.get());
        close_fds_except(plan.preserve_fds, keep);
        for (const auto& dir : *plan.v1_cgroup_dirs) cgroups::fs::write_self_task(dir);
        sync_expect(plan.sync_fd, SyncType::go, "the go-ahead from mogu");
        if (log::debug_enabled()) log::detach_from_stderr();  // fds 0-2 become the process's
        // pid and time namespaces were entered by the parent (they apply to children).
        for (const auto& ns : *plan.namespaces) {
            if (ns.type == NS::pid || ns.type == NS::time) continue;
            if (::setns(ns.fd.get(), oci::namespace_clone_flag(ns.type)) < 0)
                throw SysError(errno, "join {} namespace of the container", oci::namespace_type_name(ns.type));
        }
        if (proc.terminal) setup_console(plan.console_fd, proc.console_size, plan.console_proxied);
        std::vector<std::string> env = process_environment(proc);
        std::string exe = find_executable(proc.args[0], env);
        UniqueFd listener = assume_process_identity(proc, plan.caps, plan.seccomp);
        close_fds_on_exec(3 + plan.preserve_fds);
        reset_signals();
        if (plan.seccomp && proc.no_new_privileges) listener.reset(plan.seccomp->install());
        // A notify filter's listener goes to the agent through the parent, as the init's does.
        if (listener) {
            sync_send_with_fd(plan.sync_fd, {SyncType::seccomp_fd}, listener.get());
            listener.reset();
            sync_expect(plan.sync_fd, SyncType::seccomp_done, "the seccomp listener hand-off");
        }
        failpoint("exec.child");
        exec_process(exe, proc, env);
    } catch (const std::exception& e) {
        message = e.what();
    }
    try {
        sync_send(plan.sync_fd, {SyncType::error, 0, message});
    } catch (...) {
        dprintf(2, "mogu: %s\n", message.c_str());
    }
    ::_exit(1);
}

}  // namespace

oci::Process exec_process_from_config(const Context& ctx, const std::string& id) {
    ContainerDir dir = ContainerDir::open_unlocked(ctx.root, id);
    oci::Spec spec = load_saved_spec(dir);
    if (!spec.process) throw Error("container {} has no process in its config", id);
    oci::Process p = *spec.process;
    p.terminal = false;
    p.console_size.reset();
    return p;
}

int exec(const Context& ctx, const ExecOptions& opts) {
    std::optional<SignalForwarder> forwarder;
    if (!opts.detach) forwarder.emplace();

    ContainerDir dir = ContainerDir::open(ctx.root, opts.id);
    ContainerState st = dir.read_state();
    Status status = current_status(ctx, dir, st);
    if (status == Status::stopped) throw Error("cannot exec in a stopped container");
    if (status == Status::paused && !opts.ignore_paused) throw Error("cannot exec in a paused container (use --ignore-paused to override)");
    oci::Spec spec = load_saved_spec(dir);

    ExecPlan plan;
    plan.process = &opts.process;
    if (opts.process.capabilities) plan.caps = parse_capabilities(*opts.process.capabilities, "process.capabilities");
    std::optional<SeccompProgram> seccomp;
    if (spec.linux && spec.linux->seccomp) seccomp = SeccompProgram::compile(*spec.linux->seccomp);
    plan.seccomp = seccomp ? &*seccomp : nullptr;
    plan.preserve_fds = opts.preserve_fds;

    UniqueFd console, ours;
    if (opts.process.terminal) {
        if (!opts.console_socket.empty()) {
            console = connect_console_socket(opts.console_socket);
        } else if (!opts.detach) {
            int sv[2];
            check(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair for the terminal");
            ours.reset(sv[0]);
            console.reset(sv[1]);
        } else {
            throw UsageError("--tty with --detach needs a --console-socket to send the terminal to");
        }
    }
    plan.console_fd = console.get();
    plan.console_proxied = static_cast<bool>(ours);

    failpoint("exec.namespaces");
    auto namespaces = open_process_namespaces(st.pid);
    plan.namespaces = &namespaces;
    // Namespaces that only apply to children are entered here, before the fork.
    for (const auto& ns : namespaces)
        if ((ns.type == NS::pid || ns.type == NS::time) && ::setns(ns.fd.get(), oci::namespace_clone_flag(ns.type)) < 0)
            throw SysError(errno, "join {} namespace of container {}", oci::namespace_type_name(ns.type), opts.id);

    auto cg = open_container_cgroup(ctx, st);
    if (!cg && !opts.sub_cgroups.empty()) throw Error("exec: --cgroup: container {} has no cgroup", opts.id);
    ExecCgroupPlacement placement = cg ? exec_cgroup_placement(*cg, opts.sub_cgroups) : ExecCgroupPlacement{};
    plan.v1_cgroup_dirs = &placement.v1_dirs;
    SyncPair sync = make_sync_pair();
    plan.sync_fd = sync.child.get();
    // The child lands in the container's pid namespace at fork: make it non-dumpable from birth
    // (CVE-2019-5736); the flag is inherited, and execve resets it for the container's program.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) throw SysError(errno, "prctl(PR_SET_DUMPABLE)");
    UniqueFd cgroup_dir = placement.v2_dir.empty() ? UniqueFd() : open_cgroup_dir(placement.v2_dir);
    // A paused container freezes the child as it joins the cgroup (on v2 before it runs at all,
    // still holding a copy of our locked fd): `resume` must be able to take the container's lock
    // while this exec waits for it, so the lock goes before the fork.
    if (status == Status::paused) dir = ContainerDir::open_unlocked(ctx.root, opts.id);
    bool in_v2 = false;
    pid_t pid = clone_into_cgroup(0, cgroup_dir.get(), in_v2);
    if (pid == 0) {
        ::close(sync.parent.get());
        exec_child(plan);
    }
    ChildProcess child(pid);
    failpoint("exec.clone");
    sync.child.reset();
    console.reset();
    if (!in_v2 && !placement.v2_dir.empty()) cgroups::fs::write_pid(placement.v2_dir, pid);
    set_rlimits(pid, opts.process.rlimits);
    if (opts.process.oom_score_adj) set_oom_score_adj(pid, *opts.process.oom_score_adj);
    sync_send(sync.parent.get(), {SyncType::go, pid});
    // The socket is close-on-exec: EOF means the exec succeeded; an error message that it failed.
    while (auto m = sync_recv(sync.parent.get())) {
        if (m->type == SyncType::seccomp_fd && spec.linux && spec.linux->seccomp) {
            const auto& sc = *spec.linux->seccomp;
            if (!sc.listener_path.empty() && m->fd)
                send_to_seccomp_listener(sc.listener_path, m->fd.get(), pid, sc.listener_metadata, st.oci_version,
                                         hook_state_json(st.oci_version, st.id, "running", st.pid, st.bundle, st.annotations));
            sync_send(sync.parent.get(), {SyncType::seccomp_done});
            continue;
        }
        child.wait();
        if (m->type == SyncType::error) throw Error("{}", m->text);
        throw Error("unexpected message from the exec'd process");
    }
    failpoint("exec.pid-file");
    if (!opts.pid_file.empty()) write_file_atomic(opts.pid_file, std::to_string(pid), 0644);
    if (opts.detach) {
        child.release();
        return 0;
    }
    dir = ContainerDir::open_unlocked(ctx.root, opts.id);  // do not hold the lock while it runs
    pid_t p = child.release();
    int wstatus;
    if (ours) {
        TtyProxy tty(ours.get());
        wstatus = tty.proxy_until_exit(*forwarder, p);
    } else {
        wstatus = forwarder->forward_until_exit(p);
    }
    return exit_code_of(wstatus);
}

}  // namespace mogu::runtime
