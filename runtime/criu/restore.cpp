// mogu restore: a new container of the bundle whose process tree criu brings back from the
// images, as runc's libcontainer Restore does: criu runs in the container's cgroup with the
// restored tree as our child (rst_sibling), the bundle's bind mounts, masked files, devices and
// cgroup directories handed to it as external mounts, joined namespaces as inherited fds.
#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/time_format.h"
#include "runtime/child_process.h"
#include "runtime/container_cgroup.h"
#include "runtime/create.h"
#include "runtime/criu/criu_binary.h"
#include "runtime/criu/external_mounts.h"
#include "runtime/criu/images.h"
#include "runtime/criu/memory_tracking.h"
#include "runtime/criu/request.h"
#include "runtime/criu/swrk.h"
#include "runtime/hooks.h"
#include "runtime/interrupted_create.h"
#include "runtime/linux/in_root.h"
#include "runtime/linux/namespaces.h"
#include "runtime/proc_info.h"
#include "runtime/runtime.h"
#include "runtime/signal_forwarder.h"
#include "runtime/spec_validate.h"
#include "runtime/terminal.h"
#include "runtime/tty_proxy.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace mogu::runtime {
namespace {

using NS = oci::NamespaceType;

bool under(const std::string& path, const std::string& dir) {
    return path == dir || (path.size() > dir.size() && path.starts_with(dir) && (dir == "/" || path[dir.size()] == '/'));
}

// criu restores every mount from its images but binds them onto mount points that must exist
// in the root: make those the bundle's mounts need (not under a tmpfs, whose content criu brings
// back whole), as runc's prepareCriuRestoreMounts does.
void make_mount_points(const oci::Spec& spec, const std::string& rootfs) {
    std::vector<std::string> tmpfs;
    for (const auto& m : spec.mounts)
        if (m.type == "tmpfs") tmpfs.push_back(m.destination);
    UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw SysError(errno, "open the container's rootfs {}", rootfs);
    for (const auto& m : spec.mounts) {
        if (std::any_of(tmpfs.begin(), tmpfs.end(), [&](const std::string& t) { return t != m.destination && under(m.destination, t); }))
            continue;
        NodeKind kind = NodeKind::directory;
        struct stat st;
        if (!m.source.empty() && m.source[0] == '/' && ::stat(m.source.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) kind = NodeKind::file;
        make_in_root(root.get(), m.destination, kind);
    }
}

// Everything criu mounts for us happens in a mount namespace of our own (a slave of the host's):
// nothing of a failed restore stays mounted on the host, and the root criu restores into is a
// bind of the rootfs there.
void enter_private_mount_namespace() {
    check(::unshare(CLONE_NEWNS), "unshare a mount namespace for criu");
    check(::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr), "make / a slave mount in criu's mount namespace");
}

// The rootfs bound where criu restores: unmounted before the state directory can be removed
// (remove_tree would otherwise walk into the rootfs).
class RootBind {
public:
    RootBind(const std::string& rootfs, std::string at) : at_(std::move(at)) {
        mkdir_p(at_, 0755);
        check(::mount(rootfs.c_str(), at_.c_str(), nullptr, MS_BIND | MS_REC, nullptr), "bind {} on {}", rootfs, at_);
    }
    RootBind(const RootBind&) = delete;
    RootBind& operator=(const RootBind&) = delete;
    ~RootBind() { release(); }
    const std::string& path() const { return at_; }
    void release() {
        if (at_.empty()) return;
        if (::umount2(at_.c_str(), MNT_DETACH) < 0) log::warn("unmount {}: {}", at_, std::strerror(errno));
        else ::rmdir(at_.c_str());
        at_.clear();
    }

private:
    std::string at_;
};

}  // namespace

int restore(const Context& ctx, const RestoreOptions& o) {
    validate_container_id(o.id);
    criu::refuse_unsupported(o, "restore");
    // First: an fd opened before the unshare (the image and work directories criu chdirs
    // into) would stay on the host's mounts, where criu cannot mount its cgroup yard (EINVAL).
    enter_private_mount_namespace();
    // What can be checked without creating anything is checked first: a bad image directory,
    // a missing criu or a bad bundle leaves nothing behind.
    criu::Directories dirs = criu::open_directories(o, false);
    std::vector<std::string> descriptors = criu::check_image_dir(dirs.images);
    criu::Binary criu_bin = criu::find_binary(ctx.criu_path);

    char resolved[PATH_MAX];
    if (!::realpath(o.bundle.c_str(), resolved)) throw SysError(errno, "--bundle {}", o.bundle);
    std::string bundle = resolved;
    std::string config_path = bundle + "/config.json";
    oci::Spec spec = oci::load_spec(config_path);
    if (!o.cgroups_path.empty() && spec.linux) spec.linux->cgroups_path = o.cgroups_path;
    std::string rootfs;
    try {
        rootfs = validate_for_create(spec, bundle);
    } catch (const SpecError& e) {
        throw Error("{}: {}", config_path, e.what());
    }
    const oci::Process& proc = *spec.process;
    UniqueFd console, tty_ours, tty_theirs;
    if (proc.terminal) {
        if (!o.console_socket.empty()) {
            console = connect_console_socket(o.console_socket);
        } else if (o.detach) {
            throw UsageError("process.terminal is true: a --console-socket is required to receive the terminal");
        } else {
            int sv[2];
            check(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair for the terminal");
            tty_ours.reset(sv[0]);
            tty_theirs.reset(sv[1]);
        }
    }
    NamespacePlan namespaces = plan_namespaces(*spec.linux);
    cgroups::Manager& manager = cgroup_manager(ctx);

    // The transaction: state directory, cgroup, criu, the restored init (destroyed in reverse).
    remove_interrupted_create(ctx, o.id);  // as create does: what a killed create of this id left
    ContainerDir dir = ContainerDir::create(ctx.root, o.id);
    write_file(dir.config_copy(), read_file(config_path), 0600);
    std::unique_ptr<cgroups::Cgroup> cgroup = create_container_cgroup(manager, spec, o.id);

    criu::rpc::criu_req req;
    req.set_type(criu::rpc::RESTORE);
    auto& opts = *req.mutable_opts();
    criu::fill_common(opts, o, dirs, "restore.log");
    opts.set_evasive_devices(true);
    opts.set_rst_sibling(true);
    if (o.lazy_pages) {
        criu::require_lazy_pages(criu_bin, "restore");
        // The pages come from `criu lazy-pages` running on the work directory (its socket is
        // there), which fetches them from the dump's page server.
        opts.set_lazy_pages(true);
    }

    std::vector<int> keep = {dirs.images_fd.get(), dirs.work_fd.get()};
    std::vector<UniqueFd> namespace_fds;
    for (auto [type, key] : {std::pair{NS::network, "extRootNetNS"}, std::pair{NS::pid, "extRootPidNS"}}) {
        const oci::Namespace* ns = spec.linux->find_namespace(type);
        if (!ns || ns->path.empty()) continue;
        if (type == NS::network && std::find(o.empty_ns.begin(), o.empty_ns.end(), "network") != o.empty_ns.end()) continue;
        UniqueFd fd(::open(ns->path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw SysError(errno, "open the {} namespace {} to join", oci::namespace_type_name(type), ns->path);
        auto* inherit = opts.add_inherit_fd();
        inherit->set_key(key);
        inherit->set_fd(fd.get());
        keep.push_back(fd.get());
        namespace_fds.push_back(std::move(fd));
    }
    // The init's stdio pipes and outside files at dump time become ours: criu's 0, 1 and 2 are mogu's.
    for (size_t i = 0; i < descriptors.size() && i < 3; ++i)
        if (descriptors[i].starts_with("pipe:") || descriptors[i].starts_with("file[")) {
            auto* inherit = opts.add_inherit_fd();
            inherit->set_key(descriptors[i]);
            inherit->set_fd(static_cast<int>(i));
        }

    criu::ContainerMounts mounts;
    mounts.spec = &spec;
    if (cgroup) {
        mounts.cgroup_dirs = cgroup->paths();
        mounts.cgroup_path = cgroup->path().path;
    }
    mounts.cgroup_v2_only = manager.layout() == cgroups::Layout::v2;
    mounts.new_cgroupns = namespaces.unshare_cgroup;
    // The views of this host's LXCFS, bound under the keys the dump recorded.
    auto lxcfs_views = lxcfs::views_for_create(lxcfs::mode_for(spec.annotations, ctx.lxcfs_default), ctx.lxcfs_mount_point, ctx.root);
    if (lxcfs_views) {
        mounts.lxcfs_mount_point = lxcfs_views->mount_point;
        mounts.lxcfs_files = lxcfs_views->files;
    }
    for (const auto& m : criu::external_mounts(mounts)) {
        auto* e = opts.add_ext_mnt();
        e->set_key(m.key);
        e->set_val(m.source);
    }
    if (!spec.linux->masked_paths.empty()) {
        auto* e = opts.add_ext_mnt();
        e->set_key(criu::kMaskedFileKey);
        e->set_val("/dev/null");
    }
    if (cgroup) opts.add_cg_root()->set_path(cgroup->path().path);

    make_mount_points(spec, rootfs);
    RootBind criu_root(rootfs, dir.file("criu-root"));
    opts.set_root(criu_root.path());

    pid_t restored = 0;
    std::string hook_state;
    auto on_notify = [&](criu::Notification& n) {
        if (n.script == "setup-namespaces") {
            hook_state = hook_state_json(spec.oci_version, o.id, "creating", n.pid, bundle, spec.annotations);
            run_hooks(spec.hooks.prestart, "prestart", hook_state);
            run_hooks(spec.hooks.create_runtime, "createRuntime", hook_state);
        } else if (n.script == "post-restore") {
            restored = n.pid;
        } else if (n.script == "orphan-pts-master") {
            if (!n.fd) throw Error("criu sent no terminal with orphan-pts-master");
            if (console) send_fd(console.get(), n.fd.get(), "console");
            else if (tty_theirs) send_fd(tty_theirs.get(), n.fd.get(), "console");
            else throw Error("the checkpointed process has a terminal: restore it with --console-socket");
        }
    };

    log::debug("container {}: criu restore from {}", o.id, dirs.images);
    ChildProcess init;
    {
        criu::Swrk swrk(criu_bin.path, keep);
        // criu's restored tasks are born in its cgroup: put it in the container's before asking.
        if (cgroup) cgroup->add_process(swrk.pid());
        criu::rpc::criu_resp resp = swrk.call(req, on_notify);
        if (resp.success() && resp.has_restore()) restored = resp.restore().pid();
        if (restored > 0) init = ChildProcess(restored);
        swrk.finish();
        if (!resp.success()) criu::throw_criu_failure(resp, "restore", path_join(dirs.work, "restore.log"));
        if (restored <= 0) throw Error("criu restored no process");
    }
    criu_root.release();
    console.reset();
    tty_theirs.reset();

    auto stat = read_proc_stat(restored);
    if (!stat) throw Error("the restored init {} exited at once", restored);
    ContainerState st;
    st.oci_version = spec.oci_version;
    st.id = o.id;
    st.pid = restored;
    st.start_time = stat->start_time;
    st.bundle = bundle;
    st.rootfs = rootfs;
    st.created = rfc3339_nano_now();
    st.annotations = spec.annotations;
    st.cgroup_path = cgroup ? cgroup->path().path : "";
    st.systemd_cgroup = ctx.systemd_cgroup;
    if (lxcfs_views) {
        st.lxcfs_mount_point = lxcfs_views->mount_point;
        st.lxcfs_files = lxcfs_views->files;
    }
    dir.write_state(st);
    if (!o.pid_file.empty()) write_file_atomic(o.pid_file, std::to_string(restored), 0644);

    if (o.detach) {
        init.release();
        if (cgroup) cgroup->release();
        dir.commit();
        return 0;
    }
    // Foreground, as runc: mogu waits for the restored process (its child) and deletes the
    // container after it exits; as a subreaper unless --no-subreaper.
    if (!o.no_subreaper) check(::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "become a subreaper");
    SignalForwarder forwarder;
    std::optional<TtyProxy> tty;
    if (tty_ours) tty.emplace(tty_ours.get());
    pid_t pid = init.release();
    if (cgroup) cgroup->release();
    dir.commit();
    dir = ContainerDir::open_unlocked(ctx.root, o.id);
    int status = tty ? tty->proxy_until_exit(forwarder, pid) : forwarder.forward_until_exit(pid);
    try {
        remove(ctx, o.id, true);
    } catch (const std::exception& e) {
        log::warn("delete container {} after it exited: {}", o.id, e.what());
    }
    return exit_code_of(status);
}

}  // namespace mogu::runtime
