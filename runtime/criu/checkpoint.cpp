// mogu checkpoint: criu dumps the running container's process tree, as runc's
// libcontainer Checkpoint asks it to (see docs/migration.md).
#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "runtime/container_cgroup.h"
#include "runtime/create.h"
#include "runtime/criu/criu_binary.h"
#include "runtime/criu/external_mounts.h"
#include "runtime/criu/freeze_for_dump.h"
#include "runtime/criu/images.h"
#include "runtime/criu/memory_tracking.h"
#include "runtime/criu/page_server.h"
#include "runtime/criu/request.h"
#include "runtime/criu/swrk.h"
#include "runtime/linux/namespaces.h"
#include "runtime/runtime.h"
#include "runtime/status.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <optional>

namespace mogu::runtime {
namespace {

using NS = oci::NamespaceType;

// Masked files are /dev/null bound over the file: criu sees a mount from outside.
void add_masked_files(criu::rpc::criu_opts& opts, const oci::Spec& spec, pid_t pid) {
    for (const auto& p : spec.linux->masked_paths) {
        struct stat st;
        std::string in_container = fmt::format("/proc/{}/root{}", pid, p);
        if (::stat(in_container.c_str(), &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) continue;
        auto* m = opts.add_ext_mnt();
        m->set_key(p);
        m->set_val(criu::kMaskedFileKey);
    }
}

// A network or pid namespace joined by path is not the container's to dump: criu records it as
// external under runc's key, and restore hands it the namespace to join.
void add_external_namespaces(criu::rpc::criu_opts& opts, const oci::Spec& spec) {
    for (auto [type, kind, key] : {std::tuple{NS::network, "net", "extRootNetNS"}, std::tuple{NS::pid, "pid", "extRootPidNS"}}) {
        const oci::Namespace* ns = spec.linux->find_namespace(type);
        if (!ns || ns->path.empty()) continue;
        struct stat st;
        if (::stat(ns->path.c_str(), &st) < 0) throw SysError(errno, "the container's {} namespace {}", kind, ns->path);
        opts.add_external(fmt::format("{}[{}]:{}", kind, st.st_ino, key));
    }
}

}  // namespace

void checkpoint(const Context& ctx, const CheckpointOptions& o) {
    criu::refuse_unsupported(o, "checkpoint");
    if (o.pre_dump && !o.parent_path.empty() && o.leave_running) log::debug("pre-dump leaves the container running anyway");
    {
        ContainerDir dir = ContainerDir::open(ctx.root, o.id);
        ContainerState st = dir.read_state();
        Status status = current_status(ctx, dir, st);
        if (status != Status::running && status != Status::paused)
            throw Error("container {} is {}: only a running container can be checkpointed", o.id, status_name(status));
        criu::Binary criu_bin = criu::find_binary(ctx.criu_path);
        oci::Spec spec = load_saved_spec(dir);
        auto cgroup = open_container_cgroup(ctx, st);

        criu::Directories dirs = criu::open_directories(o, true);
        criu::rpc::criu_req req;
        req.set_type(o.pre_dump ? criu::rpc::PRE_DUMP : criu::rpc::DUMP);
        auto& opts = *req.mutable_opts();
        criu::fill_common(opts, o, dirs, o.pre_dump ? "pre-dump.log" : "dump.log");
        opts.set_pid(st.pid);
        opts.set_root(st.rootfs);
        opts.set_leave_running(o.leave_running || o.pre_dump);
        if (o.pre_dump || !o.parent_path.empty()) opts.set_track_mem(true);
        if (!o.parent_path.empty()) opts.set_parent_img(o.parent_path);
        // Pages and pagemaps go to criu's page server there; the other images stay here.
        // With --lazy-pages it is the other way round: this criu serves the pages there, and the
        // dump lasts until a restore's lazy-pages daemon has taken them all.
        if (!o.page_server.empty()) {
            auto ps = criu::parse_page_server(o.page_server, "--page-server");
            opts.mutable_ps()->set_address(ps.address);
            opts.mutable_ps()->set_port(ps.port);
        }
        if (o.lazy_pages) {
            criu::require_lazy_pages(criu_bin, "checkpoint");
            opts.set_lazy_pages(true);
            // criu writes \0 there once its page server listens (runc passes it only with lazy pages).
            if (o.status_fd >= 0) opts.set_status_fd(o.status_fd);
        }
        // criu freezes the tree with the cgroup freezer rather than ptrace-stopping each task;
        // we freeze it first, at a moment no process is inside vfork() (freeze_for_dump.h), and
        // criu finds it frozen. Thawed when this scope ends, after criu (unless it was paused).
        std::optional<criu::FrozenForDump> frozen;
        if (cgroup) {
            auto paths = cgroup->paths();
            if (paths.count("freezer")) opts.set_freeze_cgroup(paths.at("freezer"));
            else if (paths.count("unified") && cgroup_manager(ctx).layout() == cgroups::Layout::v2) opts.set_freeze_cgroup(paths.at("unified"));
            if (opts.has_freeze_cgroup()) frozen.emplace(*cgroup, o.id);
        }
        criu::ContainerMounts mounts;
        mounts.spec = &spec;
        if (cgroup) {
            mounts.cgroup_dirs = cgroup->paths();
            mounts.cgroup_path = cgroup->path().path;
        }
        mounts.cgroup_v2_only = cgroup_manager(ctx).layout() == cgroups::Layout::v2;
        mounts.new_cgroupns = spec_creates_namespace(*spec.linux, oci::NamespaceType::cgroup);
        mounts.lxcfs_mount_point = st.lxcfs_mount_point;
        mounts.lxcfs_files = st.lxcfs_files;
        for (const auto& m : criu::external_mounts(mounts)) {
            auto* e = opts.add_ext_mnt();
            e->set_key(m.key);
            e->set_val(m.key);
        }
        add_masked_files(opts, spec, st.pid);
        add_external_namespaces(opts, spec);

        // Both need the kernel's soft-dirty bits (CONFIG_MEM_SOFT_DIRTY): without them criu
        // refuses track_mem, and a dump on a parent could not tell which pages changed.
        if ((o.pre_dump || !o.parent_path.empty()) && !criu::tracks_dirty_memory(criu_bin.path))
            throw Error("checkpoint {} needs the kernel's dirty memory tracking (soft-dirty bits, CONFIG_MEM_SOFT_DIRTY), which criu {} says this kernel lacks",
                        o.pre_dump ? "--pre-dump" : "--parent-path", criu::version_text(criu_bin.version));
        std::vector<std::string> descriptors = criu::stdio_descriptors(st.pid);
        for (const auto& d : descriptors)
            if (d.starts_with("file[")) opts.add_external(d);
        if (!o.pre_dump) criu::write_descriptors(dirs.images, descriptors);

        log::debug("container {}: criu {} into {}", o.id, criu::request_name(req.type()), dirs.images);
        // A pre-dump's criu waits for the next request after answering and complains on stderr
        // when the socket closes instead: its stdio is /dev/null (its log has what it says).
        UniqueFd null;
        int quiet[3] = {-1, -1, -1};
        if (o.pre_dump) {
            null.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
            if (!null) throw SysError(errno, "open /dev/null for criu");
            quiet[0] = quiet[1] = quiet[2] = null.get();
        }
        criu::Swrk swrk(criu_bin.path, {dirs.images_fd.get(), dirs.work_fd.get()}, o.pre_dump ? quiet : nullptr);
        criu::rpc::criu_resp resp = swrk.call(req);
        swrk.finish();
        if (!resp.success()) criu::throw_criu_failure(resp, criu::request_name(req.type()), path_join(dirs.work, o.pre_dump ? "pre-dump.log" : "dump.log"));
    }
    // criu killed the tree: the container is deleted as runc does (cgroup, state, poststop hooks).
    if (!o.leave_running && !o.pre_dump) remove(ctx, o.id, true);
}

}  // namespace mogu::runtime
