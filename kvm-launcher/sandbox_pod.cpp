// A pod's containers in its sandbox's VM: create (no boot: the rootfs and directories bound into
// the pod's share, the container made through the sandbox's keeper by a keeper of its own) and
// what delete undoes.
#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/time_format.h"
#include "common/vm_annotations.h"
#include "kvm-launcher/host/fds.h"
#include "kvm-launcher/host/host_cgroup.h"
#include "kvm-launcher/host/keeper.h"
#include "kvm-launcher/host/member_keeper.h"
#include "kvm-launcher/host/pod.h"
#include "kvm-launcher/host/vm_options.h"
#include "kvm-launcher/sandbox_detail.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::vm::detail {

namespace v1 = agent::v1;

namespace {

// The container's directory in the pod's share: removed if create fails (after its binds,
// which are declared later and so undone first), kept once it succeeded.
struct MemberShareDir {
    std::string path;
    bool keep = false;
    ~MemberShareDir() {
        if (keep) return;
        try {
            if (unmount_below(path)) remove_tree(path);
        } catch (const std::exception& e) {
            log::warn("removing {}: {}", path, e.what());
        }
    }
};

}  // namespace

void create_pod_member(const Context& ctx, const CreateOptions& opts, const PreparedBundle& b, const std::string& sandbox_id) {
    VmDir sandbox_dir = VmDir::open(ctx.root, sandbox_id, false);
    VmState sandbox = sandbox_dir.read_state();
    if (!keeper_alive(sandbox)) throw Error("pod sandbox {} is not running: its VM is gone", sandbox_id);
    if (sandbox.pod_share.empty())
        throw Error("container {} was not started as a pod sandbox; its VM takes no other containers", sandbox_id);
    if (b.spec.annotations.count(kRootfsDeviceAnnotation))
        throw Error("{}: a pod's container joins the pod's VM, which reaches directories only; a block-device rootfs "
                    "({}) needs a VM of its own", kRootfsDeviceAnnotation, b.spec.annotations.at(kRootfsDeviceAnnotation));
    bool terminal = b.spec.process->terminal;
    if (terminal && opts.console_socket.empty())
        throw Error("process.terminal is set: create needs --console-socket to hand the terminal over");

    VmDir dir = VmDir::create(ctx.root, opts.id);
    MemberShareDir share_dir{path_join(sandbox.pod_share, opts.id)};
    const std::string& share = share_dir.path;
    MemberPlan plan;
    plan.dir = dir.path();
    plan.sandbox_socket = sandbox_dir.file(VmDir::kSocket);
    plan.console_socket = terminal ? opts.console_socket : "";
    auto& req = plan.request;
    req.set_id(opts.id);
    req.set_config_json(b.config_json);
    req.set_sandbox_id(sandbox_id);
    for (auto& f : b.files) *req.add_files() = f;
    auto* rootfs = req.mutable_rootfs();
    rootfs->set_kind(v1::Rootfs::NINEP);
    rootfs->set_source("pod");
    rootfs->set_subpath(opts.id + "/rootfs");
    std::vector<ShareBind> binds;
    binds.emplace_back(b.rootfs, path_join(share, "rootfs"), false);
    for (auto& bind : share_directories(b, sandbox.pod_share, opts.id, req)) binds.push_back(std::move(bind));

    VmState& st = plan.state;
    st.id = opts.id;
    st.bundle = b.bundle;
    st.rootfs = b.rootfs;
    st.created = rfc3339_nano_now();
    st.accel = sandbox.accel;
    st.machine = sandbox.machine;
    st.kernel = sandbox.kernel;
    st.vcpus = sandbox.vcpus;
    st.memory_mib = sandbox.memory_mib;
    st.rootfs_mode = "9p";
    st.annotations = b.spec.annotations;
    st.sandbox = sandbox_id;
    st.pod_share = share;
    std::unique_ptr<cgroups::Cgroup> cgroup = create_host_cgroup(b.spec, opts.id);
    if (cgroup) st.cgroup = cgroup->path().path;

    pid_t keeper;
    try {
        keeper = fork_reporting_child({}, [&] { dir.forget_lock(); }, [&](UniqueFd report) {
            if (cgroup) cgroup->add_process(getpid());
            run_member_keeper(plan, std::move(report));
        });
    } catch (const std::exception& e) {
        throw Error("container {}: {}", opts.id, e.what());
    }
    write_pid_file(opts.pid_file, keeper);
    if (cgroup) cgroup->release();
    for (auto& bind : binds) bind.release();  // delete unbinds them
    share_dir.keep = true;
    dir.commit();
}

void remove_pod_member(const Context& ctx, const VmState& st) {
    try {
        VmDir sandbox_dir = VmDir::open(ctx.root, st.sandbox, false);
        VmState sandbox = sandbox_dir.read_state();
        if (keeper_alive(sandbox))
            connect_keeper(sandbox_dir, sandbox).call<v1::Empty>("RemoveContainer", container_request(st.id), kCallTimeoutMs);
    } catch (const std::exception& e) {
        // The pod's VM is gone (or going): nothing of the container is left in it.
        log::info("{}: removing it from pod sandbox {}: {}", st.id, st.sandbox, e.what());
    }
    remove_pod_share(st);
}

void remove_pod_share(const VmState& st) {
    if (st.pod_share.empty()) return;
    if (!unmount_below(st.pod_share))
        throw Error("{} still has mounts; it is left, not to delete what they show", st.pod_share);
    remove_tree(st.pod_share);
}

}  // namespace mogu::vm::detail
