#include "runtime/create.h"

#include "common/error.h"
#include "common/failpoint.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "runtime/bind_sources.h"
#include "runtime/cgroups/resources.h"
#include "runtime/container_cgroup.h"
#include "runtime/container_init.h"
#include "runtime/hooks.h"
#include "runtime/interrupted_create.h"
#include "runtime/linux/devices.h"
#include "runtime/linux/process_setup.h"
#include "runtime/proc_info.h"
#include "runtime/rootless.h"
#include "runtime/security/seccomp.h"
#include "runtime/security/seccomp_listener.h"
#include "runtime/spawn_init.h"
#include "runtime/spec_validate.h"
#include "runtime/sync_socket.h"
#include "runtime/terminal.h"
#include "runtime/user_namespace.h"

#include <algorithm>
#include <chrono>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace mogu::runtime {
namespace {

using NS = oci::NamespaceType;

std::string absolute_bundle(const std::string& bundle) {
    char resolved[PATH_MAX];
    if (!::realpath(bundle.c_str(), resolved)) throw SysError(errno, "--bundle {}", bundle);
    return resolved;
}

// A bind mount of /dev from the host means the image's /dev is not ours to fill.
bool dev_is_bound(const oci::Spec& spec) {
    for (const auto& m : spec.mounts)
        if (m.destination == "/dev" && (m.type == "bind" || std::find(m.options.begin(), m.options.end(), "bind") != m.options.end() ||
                                        std::find(m.options.begin(), m.options.end(), "rbind") != m.options.end()))
            return false;
    return true;
}

oci::Resources effective_resources(const oci::Spec& spec) {
    oci::Resources r = spec.linux->resources.value_or(oci::Resources{});
    r.devices = device_cgroup_rules(spec);
    return r;
}

// A cgroupsPath may name a cgroup that exists already (a pod's, or one somebody made). runc's
// checks: a frozen one would freeze the init half-way through create, so it is refused at
// once; one with processes in it is used, with a warning.
void check_existing_cgroup(const cgroups::Cgroup& cg) {
    cgroups::FreezerState state = cgroups::FreezerState::thawed;
    try {
        state = cg.freezer_state();
    } catch (const Error& e) {
        log::debug("freezer state of {} not known: {}", cg.path().path, e.what());  // no freezer: nothing can freeze it
    }
    if (state != cgroups::FreezerState::thawed)
        throw Error("container's cgroup {} is frozen: the container's init would freeze in it (resume or thaw it first)", cg.path().path);
    if (auto pids = cg.pids(); !pids.empty()) log::warn("container's cgroup {} is not empty: {} process(es) found", cg.path().path, pids.size());
}

}  // namespace

std::unique_ptr<cgroups::Cgroup> create_container_cgroup(cgroups::Manager& manager, const oci::Spec& spec, const std::string& id) {
    cgroups::CgroupPath path = cgroups::resolve_path(spec.linux->cgroups_path, id, manager.own_cgroup());
    try {
        auto cg = manager.create(path);
        check_existing_cgroup(*cg);
        cg->apply(effective_resources(spec));
        return cg;
    } catch (const SysError& e) {
        if (!running_rootless() || (e.code() != EACCES && e.code() != EPERM && e.code() != EROFS)) throw;
        if (spec.linux->resources && cgroups::has_limits(cgroups::without_unset_values(*spec.linux->resources)))
            throw Error("linux.resources: limits need a cgroup, and this rootless user cannot create one ({})", e.what());
        log::debug("rootless: running without a cgroup: {}", e.what());
        return nullptr;
    }
}

void PreparedContainer::commit() {
    if (cgroup) cgroup->release();
    init.release();
    dir.commit();
}

oci::Spec load_saved_spec(const ContainerDir& dir) { return oci::load_spec(dir.config_copy()); }

PreparedContainer create_container(const Context& ctx, const CreateOptions& opts, int console_socket_fd) {
    std::string bundle = absolute_bundle(opts.bundle);
    std::string config_path = bundle + "/config.json";
    oci::Spec spec = oci::load_spec(config_path);
    std::string rootfs;
    std::optional<CapabilitySets> caps;
    std::optional<SeccompProgram> seccomp;
    try {
        rootfs = validate_for_create(spec, bundle);
        if (spec.process->capabilities) caps = parse_capabilities(*spec.process->capabilities, "process.capabilities");
        if (spec.linux->seccomp) seccomp = SeccompProgram::compile(*spec.linux->seccomp);
    } catch (const SpecError& e) {
        throw Error("{}: {}", config_path, e.what());
    }
    const oci::Linux& linux = *spec.linux;
    const oci::Process& proc = *spec.process;
    UniqueFd console;
    if (proc.terminal) {
        if (console_socket_fd >= 0) console.reset(::fcntl(console_socket_fd, F_DUPFD_CLOEXEC, 3));
        else if (!opts.console_socket.empty()) console = connect_console_socket(opts.console_socket);
        else throw UsageError("process.terminal is true: a --console-socket is required to receive the terminal");
    }
    NamespacePlan namespaces = plan_namespaces(linux);
    std::optional<lxcfs::Views> lxcfs_views;
    try {
        lxcfs_views = lxcfs::views_for_create(lxcfs::mode_for(spec.annotations, ctx.lxcfs_default), ctx.lxcfs_mount_point, ctx.root);
    } catch (const SpecError& e) {
        throw Error("{}: {}", config_path, e.what());
    }
    cgroups::Manager& manager = cgroup_manager(ctx);

    // A create of this id killed half-way left its directory: its init and cgroup go with it first
    // (ContainerDir::create alone would reclaim the directory, and leak a cgroup of another path).
    remove_interrupted_create(ctx, opts.id);
    ContainerDir dir = ContainerDir::create(ctx.root, opts.id);
    failpoint("create.state-dir");
    write_file(dir.config_copy(), read_file(config_path), 0600);
    failpoint("create.config-copy");
    // What `delete --force` needs should this create die before state.json (interrupted_create.h).
    ContainerState creating;
    creating.id = opts.id;
    creating.cgroup_path = cgroups::resolve_path(spec.linux->cgroups_path, opts.id, manager.own_cgroup()).path;
    creating.systemd_cgroup = ctx.systemd_cgroup;
    record_creating(dir, creating);

    std::unique_ptr<cgroups::Cgroup> cgroup = create_container_cgroup(manager, spec, opts.id);
    failpoint("create.cgroup");

    check(::mkfifo(dir.exec_fifo().c_str(), 0600), "mkfifo {}", dir.exec_fifo());
    UniqueFd fifo(::open(dir.exec_fifo().c_str(), O_RDWR | O_CLOEXEC));
    if (!fifo) throw SysError(errno, "open {}", dir.exec_fifo());
    failpoint("create.exec-fifo");

    SyncPair sync = make_sync_pair();

    InitPlan plan;
    plan.spec = &spec;
    plan.process = &proc;
    plan.rootfs = rootfs;
    plan.no_pivot = opts.no_pivot;
    plan.namespaces = &namespaces;
    plan.mounts.new_cgroupns = namespaces.unshare_cgroup;
    plan.mounts.new_netns = namespaces.has(NS::network);
    plan.mounts.in_userns = namespaces.has(NS::user);
    plan.mounts.cgroup_v2_only = manager.layout() == cgroups::Layout::v2;
    if (cgroup) {
        plan.mounts.cgroup_path = cgroup->path().path;
        plan.mounts.cgroup_dirs = cgroup->paths();
    }
    if (caps) plan.capabilities = *caps;
    plan.seccomp = seccomp ? &*seccomp : nullptr;
    plan.sync_fd = sync.child.get();
    plan.exec_fifo_fd = fifo.get();
    plan.console_socket_fd = console.get();
    plan.console_proxied = console_socket_fd >= 0;  // run's own socketpair
    plan.preserve_fds = opts.preserve_fds;
    plan.setup_dev = dev_is_bound(spec);
    plan.lxcfs_views = lxcfs_views ? &*lxcfs_views : nullptr;
    std::vector<BindSource> bind_sources = bind_sources_of(spec, plan.lxcfs_views);
    // Not for a rootless caller: joining the init's mount namespace needs privileges it lacks.
    plan.bind_sources_from_parent = needs_bind_sources(bind_sources, namespaces.has(NS::user) && !running_rootless());
    plan.oci_version = spec.oci_version;
    plan.id = opts.id;
    plan.bundle = bundle;
    plan.annotations = &spec.annotations;

    plan.cgroup = cgroup.get();
    SpawnedInit spawned = spawn_init(plan, sync.parent.get());
    ChildProcess init(spawned.pid);
    pid_t pid = init.pid();
    if (auto init_stat = read_proc_stat(pid)) {
        creating.pid = pid;
        creating.start_time = init_stat->start_time;
        record_creating(dir, creating);
    }
    failpoint("create.clone");
    if (log::debug_enabled()) {
        std::vector<std::string> created;
        for (const auto& n : linux.namespaces)
            if (namespaces.creates(n.type)) created.push_back(oci::namespace_type_name(n.type));
        log::debug("container {}: init {} started with new namespaces: {}", opts.id, pid, created.empty() ? "none" : join(created, ", "));
    }
    sync.child.reset();
    fifo.reset();
    console.reset();

    // The init joins its v1 hierarchies itself; only a child not born into the v2 part is moved.
    if (cgroup && !spawned.in_v2_cgroup && !cgroup->v2_dir().empty()) cgroup->add_process(pid);
    if (namespaces.creates(NS::user)) write_id_mappings(pid, linux.uid_mappings, linux.gid_mappings);
    set_rlimits(pid, proc.rlimits);
    if (proc.oom_score_adj) set_oom_score_adj(pid, *proc.oom_score_adj);
    failpoint("create.init-setup");
    sync_send(sync.parent.get(), {SyncType::go, pid});

    for (;;) {
        auto m = sync_recv(sync.parent.get());
        if (!m) {
            int status = init.wait();
            throw Error("container init exited during setup ({})",
                        WIFSIGNALED(status) ? fmt::format("signal {}", WTERMSIG(status)) : fmt::format("status {}", WEXITSTATUS(status)));
        }
        if (m->type == SyncType::error) throw Error("{}", m->text);
        if (m->type == SyncType::hooks_request) {
            failpoint("create.hooks");
            std::string state = hook_state_json(spec.oci_version, opts.id, "creating", pid, bundle, spec.annotations);
            run_hooks(spec.hooks.prestart, "prestart", state);
            run_hooks(spec.hooks.create_runtime, "createRuntime", state);
            sync_send(sync.parent.get(), {SyncType::hooks_done});
            continue;
        }
        if (m->type == SyncType::bind_sources_request) {
            send_bind_sources(pid, sync.parent.get(), bind_sources);
            continue;
        }
        if (m->type == SyncType::seccomp_fd) {
            const auto& sc = *linux.seccomp;
            std::string state = hook_state_json(spec.oci_version, opts.id, "creating", pid, bundle, spec.annotations);
            if (!sc.listener_path.empty() && m->fd)
                send_to_seccomp_listener(sc.listener_path, m->fd.get(), pid, sc.listener_metadata, spec.oci_version, state);
            sync_send(sync.parent.get(), {SyncType::seccomp_done});
            continue;
        }
        if (m->type == SyncType::ready) break;
        throw Error("unexpected message {} from the container's init", static_cast<uint32_t>(m->type));
    }

    failpoint("create.ready");
    auto st = read_proc_stat(pid);
    if (!st) throw Error("container init {} exited right after setup", pid);
    ContainerState state;
    state.oci_version = spec.oci_version;
    state.id = opts.id;
    state.pid = pid;
    state.start_time = st->start_time;
    state.bundle = bundle;
    state.rootfs = rootfs;
    state.created = rfc3339_nano_now();
    state.owner = "";
    state.annotations = spec.annotations;
    state.cgroup_path = cgroup ? cgroup->path().path : "";
    state.systemd_cgroup = ctx.systemd_cgroup;
    if (lxcfs_views) {
        state.lxcfs_mount_point = lxcfs_views->mount_point;
        state.lxcfs_files = lxcfs_views->files;
    }
    dir.write_state(state);
    forget_creating(dir);
    failpoint("create.state-written");
    if (!opts.pid_file.empty()) write_file_atomic(opts.pid_file, std::to_string(pid), 0644);
    failpoint("create.pid-file");

    PreparedContainer out{std::move(dir), std::move(cgroup), std::move(init), std::move(state), std::move(spec)};
    return out;
}

namespace {

// The init holds the exec FIFO open until its execve (close-on-exec): poststart hooks must run
// after the process was executed, so after the startContainer hooks that precede it. The writer
// sees POLLERR once no reader is left. Bounded, so a hung startContainer hook cannot hang start.
void wait_for_execve(int fifo, const std::string& id) {
    constexpr int kWaitMs = 60000;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
    for (;;) {
        struct pollfd p {fifo, 0, 0};
        int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
        if (left <= 0) {
            log::warn("start {}: the container's process was not executed within {} s (a startContainer hook still runs?); "
                      "running the poststart hooks anyway", id, kWaitMs / 1000);
            return;
        }
        int r = ::poll(&p, 1, left);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 || (p.revents & (POLLERR | POLLHUP))) return;
    }
}

}  // namespace

void start_container(const Context& ctx, ContainerDir& dir, const ContainerState& st, const oci::Spec& spec) {
    (void)ctx;
    failpoint("start.open-fifo");
    UniqueFd fifo(::open(dir.exec_fifo().c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fifo) {
        if (errno == ENXIO || errno == ENOENT) throw Error("cannot start a container that has stopped");
        throw SysError(errno, "open {}", dir.exec_fifo());
    }
    if (::write(fifo.get(), "0", 1) != 1) throw SysError(errno, "write to {}", dir.exec_fifo());
    failpoint("start.fifo-written");
    wait_for_execve(fifo.get(), st.id);
    fifo.reset();
    ::unlink(dir.exec_fifo().c_str());
    failpoint("start.poststart");
    // The spec: a failing poststart hook is a warning, and the container keeps running (runc
    // instead kills it and fails start; see docs/runtime.md).
    if (!spec.hooks.poststart.empty())
        run_hooks_warning_on_failure(spec.hooks.poststart, "poststart",
                                     hook_state_json(st.oci_version, st.id, "running", st.pid, st.bundle, st.annotations));
}

}  // namespace mogu::runtime
