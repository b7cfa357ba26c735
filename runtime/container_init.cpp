#include "runtime/container_init.h"

#include "common/error.h"
#include "common/failpoint.h"
#include "common/files.h"
#include "common/log.h"
#include "runtime/bind_sources.h"
#include "runtime/hooks.h"
#include "runtime/process_identity.h"
#include "runtime/linux/devices.h"
#include "runtime/linux/loopback.h"
#include "runtime/linux/process_setup.h"
#include "runtime/linux/mounts.h"
#include "runtime/linux/rootfs.h"
#include "runtime/security/seccomp.h"
#include "runtime/sync_socket.h"
#include "runtime/terminal.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {
namespace {

using NS = oci::NamespaceType;

// The pid is only known once the parent says "go"; hooks run later get it in their state.
std::string hook_state(const InitPlan& plan, const char* status, pid_t pid) {
    return hook_state_json(plan.oci_version, plan.id, status, pid, plan.bundle, *plan.annotations);
}

void setup_mount_namespace(const InitPlan& plan, pid_t host_pid) {
    const oci::Spec& spec = *plan.spec;
    const oci::Linux& linux = *spec.linux;
    MountContext ctx = plan.mounts;
    // Sources the parent opened for us (user namespace): the spec's bind mounts by their index,
    // then the LXCFS views.
    std::map<size_t, UniqueFd> bind_sources;
    if (plan.bind_sources_from_parent) bind_sources = receive_bind_sources(plan.sync_fd);
    std::map<size_t, int> view_fds;
    for (const auto& [index, fd] : bind_sources) {
        if (index < spec.mounts.size()) ctx.bind_source_fds[index] = fd.get();
        else view_fds[index - spec.mounts.size()] = fd.get();
    }
    failpoint("init.mounts");
    UniqueFd root = prepare_rootfs(plan.rootfs, linux.rootfs_propagation);
    ctx.root_fd = root.get();
    for (size_t i = 0; i < spec.mounts.size(); ++i) mount_entry(spec.mounts[i], i, ctx);
    // Over the container's own /proc and /sys files, before masked and read-only paths.
    if (plan.lxcfs_views) lxcfs::bind_views(root.get(), *plan.lxcfs_views, view_fds);

    // createRuntime (and the deprecated prestart) hooks run in the runtime's namespaces: the parent runs them.
    if (!spec.hooks.prestart.empty() || !spec.hooks.create_runtime.empty()) {
        sync_send(plan.sync_fd, {SyncType::hooks_request});
        sync_expect(plan.sync_fd, SyncType::hooks_done, "createRuntime hooks");
    }
    if (plan.setup_dev) {
        auto devices = container_devices(spec);
        create_devices(root.get(), devices, plan.mounts.in_userns);
        create_dev_symlinks(root.get());
        log::debug("init: {} device nodes and the /dev symlinks made{}", devices.size(), plan.mounts.in_userns ? " (bound from the host)" : "");
    } else if (!linux.devices.empty()) {
        create_devices(root.get(), linux.devices, plan.mounts.in_userns);
        log::debug("init: {} device nodes made in the bound /dev", linux.devices.size());
    }
    // runc runs createContainer hooks from the container's root directory.
    check(::chdir(plan.rootfs.c_str()), "chdir into rootfs {} for the createContainer hooks", plan.rootfs);
    run_hooks(spec.hooks.create_container, "createContainer", hook_state(plan, "creating", host_pid));

    failpoint("init.pivot");
    if (plan.no_pivot) {
        move_into(plan.rootfs);
        log::debug("init: --no-pivot: moved {} onto / and chrooted into it", plan.rootfs);
    } else {
        pivot_into(plan.rootfs);
        log::debug("init: pivot_root into {}", plan.rootfs);
    }
}

void finalize_filesystem(const InitPlan& plan) {
    const oci::Linux& linux = *plan.spec->linux;
    remount_deferred_read_only(plan.spec->mounts);
    make_paths_readonly(linux.readonly_paths);
    mask_paths(linux.masked_paths);
    // The working directory is created if the image lacks it, as runc does.
    const std::string& cwd = plan.process->cwd;
    struct stat st;
    if (::stat(cwd.c_str(), &st) < 0) {
        if (errno != ENOENT) throw SysError(errno, "process.cwd: stat {}", cwd);
        try {
            mkdir_p(cwd);
        } catch (const SysError& e) {
            throw Error("process.cwd: create {}: {}", cwd, e.what());
        }
    }
    if (plan.spec->root.readonly) make_root_readonly();
    set_root_propagation(linux.rootfs_propagation);
    log::debug("init: {} paths read-only, {} masked{}", linux.readonly_paths.size(), linux.masked_paths.size(),
               plan.spec->root.readonly ? ", root read-only" : "");
}

[[noreturn]] void init_main(const InitPlan& plan) {
    const oci::Spec& spec = *plan.spec;
    const oci::Process& proc = *plan.process;
    const NamespacePlan& ns = *plan.namespaces;

    // Into our cgroup first (the parent placed us in its v2 part, if any, at clone time).
    if (plan.cgroup) plan.cgroup->join_self_v1();
    // Wait until the parent has written id maps and limits.
    auto go = sync_recv(plan.sync_fd);
    if (!go || go->type != SyncType::go) ::_exit(1);
    pid_t host_pid = go->value;
    // Our stderr becomes the container's (its terminal, once set up): log to a copy of it.
    if (log::debug_enabled()) log::detach_from_stderr();
    log::debug("init {}: setting up container {}", host_pid, plan.id);
    // From here on nothing in the container may open /proc/<our pid>/exe, which is the runtime's
    // own binary until execve (CVE-2019-5736). Not earlier: an unprivileged parent writing our
    // id maps needs /proc/<pid> to be ours.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) throw SysError(errno, "prctl(PR_SET_DUMPABLE)");
    if (!plan.namespaces_joined) join_namespaces(ns);
    if (ns.unshare_cgroup) {
        if (::unshare(CLONE_NEWCGROUP) < 0) throw SysError(errno, "unshare the cgroup namespace");
        log::debug("init: new cgroup namespace, rooted at the container's cgroup");
    }
    if (ns.creates(NS::network)) bring_up_loopback();
    if (ns.creates(NS::user) || ns.has(NS::user)) {
        // Become root of the new user namespace before touching anything it owns.
        if (::setresgid(0, 0, 0) < 0 || ::setresuid(0, 0, 0) < 0) throw SysError(errno, "become root in the user namespace");
    }

    setup_mount_namespace(plan, host_pid);

    if (ns.has(NS::uts)) {
        if (!spec.hostname.empty() && ::sethostname(spec.hostname.data(), spec.hostname.size()) < 0)
            throw SysError(errno, "set hostname \"{}\"", spec.hostname);
        if (!spec.domainname.empty() && ::setdomainname(spec.domainname.data(), spec.domainname.size()) < 0)
            throw SysError(errno, "set domainname \"{}\"", spec.domainname);
    }
    write_sysctls(spec.linux->sysctl);
    finalize_filesystem(plan);
    // The pty comes from the container's own devpts instance, so it is opened after pivot_root.
    if (proc.terminal) setup_console(plan.console_socket_fd, proc.console_size, plan.console_proxied);
    // A session of its own, with or without a terminal, as runc's init (nsexec) does: the caller's
    // session leader is outside the container, and criu refuses to dump such a "shell job".
    else if (::setsid() < 0) throw SysError(errno, "setsid");

    std::vector<std::string> env = process_environment(proc);
    std::string exe = find_executable(proc.args[0], env);

    log::debug("init: becoming uid {} gid {} with the spec's capabilities, cwd {}", proc.user.uid, proc.user.gid, proc.cwd);
    UniqueFd early_listener = assume_process_identity(proc, plan.capabilities, plan.seccomp);

    close_fds_on_exec(3 + plan.preserve_fds);
    // A notify filter goes on before `start`, while the parent still listens: its listener fd goes
    // to the agent through the parent (which can reach linux.seccomp.listenerPath; we are past
    // pivot_root). Any other no_new_privileges filter goes on after `start`, right before the
    // startContainer hooks (which run in the container, under it, as with runc) and execve: the
    // fewer of our own syscalls follow it, the fewer a profile must allow.
    bool late_filter = plan.seccomp && proc.no_new_privileges && !plan.seccomp->uses_notify();
    UniqueFd listener = std::move(early_listener);
    if (plan.seccomp && proc.no_new_privileges && plan.seccomp->uses_notify()) listener.reset(plan.seccomp->install());
    if (listener) {
        sync_send_with_fd(plan.sync_fd, {SyncType::seccomp_fd}, listener.get());
        listener.reset();
        sync_expect(plan.sync_fd, SyncType::seccomp_done, "the seccomp listener hand-off");
    }
    failpoint("init.ready");
    sync_send(plan.sync_fd, {SyncType::ready});
    ::close(plan.sync_fd);

    // Block until `mogu start` writes a byte to the exec FIFO.
    char byte;
    ssize_t n;
    do n = ::read(plan.exec_fifo_fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1) ::_exit(255);
    // The FIFO stays open (close-on-exec) through the startContainer hooks: `mogu start` runs the
    // poststart hooks once the last reader is gone, i.e. once the process was executed (or the
    // init died), as the spec orders them.

    reset_signals();
    if (late_filter) plan.seccomp->install();
    run_hooks(spec.hooks.start_container, "startContainer", hook_state(plan, "created", host_pid));

    log::debug("init: exec {}", exe);
    try {
        exec_process(exe, proc, env);
    } catch (const std::exception& e) {
        // The parent is gone by now; the container's stderr is the only place left to say why.
        dprintf(2, "mogu: %s\n", e.what());
    }
    ::_exit(127);
}

}  // namespace

void run_container_init(const InitPlan& plan) {
    std::string message;
    try {
        std::vector<int> keep = {plan.sync_fd, plan.exec_fifo_fd, plan.console_socket_fd, log::sink_fd()};
        for (const auto& j : plan.namespaces->join) keep.push_back(j.fd.get());
        close_fds_except(plan.preserve_fds, keep);
        init_main(plan);
    } catch (const std::exception& e) {
        message = e.what();
    } catch (...) {
        message = "unknown error in the container's init";
    }
    // After `start` the parent no longer listens: the container's stderr is left.
    try {
        sync_send(plan.sync_fd, {SyncType::error, 0, message});
    } catch (...) {
        dprintf(2, "mogu: %s\n", message.c_str());
    }
    ::_exit(1);
}

}  // namespace mogu::runtime
