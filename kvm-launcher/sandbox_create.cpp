// create (and run): everything checked before a boot, the rootfs exported, the keeper forked; a
// failure anywhere leaves nothing (state directory, image, cgroup and QEMU are owners).
#include "kvm-launcher/sandbox.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "kvm-launcher/host/accel.h"
#include "kvm-launcher/host/boot.h"
#include "kvm-launcher/host/fds.h"
#include "kvm-launcher/host/guest_request.h"
#include "kvm-launcher/host/host_cgroup.h"
#include "kvm-launcher/host/initramfs.h"
#include "kvm-launcher/host/kernel.h"
#include "kvm-launcher/host/keeper.h"
#include "kvm-launcher/host/pod.h"
#include "kvm-launcher/host/pod_network.h"
#include "kvm-launcher/host/rootfs_device.h"
#include "kvm-launcher/host/vm_options.h"
#include "kvm-launcher/host/vm_state.h"
#include "kvm-launcher/sandbox_detail.h"
#include "runtime/state.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>

namespace mogu::vm {
namespace {

namespace v1 = agent::v1;
using namespace detail;

constexpr int kProbeTimeoutMs = 20000;

std::string disk_dir() {
    const char* env = getenv("MOGU_VM_DISKS");
    return env && *env ? env : "/var/lib/mogu-vm/disks";
}

unsigned host_cpus() {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? unsigned(n) : 1;
}

std::atomic<pid_t> g_run_keeper{0};
void forward_to_keeper(int sig) {
    if (pid_t p = g_run_keeper.load()) ::kill(p, sig);
}

}  // namespace

void create(const Context& ctx, const CreateOptions& opts) {
    runtime::validate_container_id(opts.id);
    if (VmDir::is_vm(ctx.root, opts.id) || path_exists(path_join(ctx.root, opts.id)))
        throw Error("container {} already exists", opts.id);
    PreparedBundle b = prepare_bundle(opts.bundle, true);
    PodPlace pod = pod_place(b.spec, opts.id, ctx.root);
    if (pod.role == PodRole::member) return create_pod_member(ctx, opts, b, pod.sandbox_id);
    if (pod.role == PodRole::none) refuse_directories(b);
    VmOptions o = vm_options(b.spec, host_cpus());
    bool terminal = b.spec.process->terminal;
    if (terminal && opts.console_socket.empty())
        throw Error("process.terminal is set: create needs --console-socket to hand the terminal over");
    if (o.rootfs == RootfsMode::device) check_rootfs_device(o.rootfs_device);
    std::string qemu = find_executable(o.qemu);
    if (qemu.empty()) throw Error("{} not found (apt-get install qemu-system-x86)", o.qemu);
    Kernel kernel = find_kernel(o.kernel);
    std::string initrd = initramfs_for(kernel, find_agent_binary());

    VmDir dir = VmDir::create(ctx.root, opts.id);
    std::string pod_share;
    QemuConfig qc;
    qc.qemu = qemu;
    qc.vcpus = o.vcpus;
    qc.memory_mib = o.memory_mib;
    qc.machine = o.machine == MachineChoice::q35 ? Machine::q35 : Machine::microvm;
    qc.kernel = kernel.vmlinux;
    qc.initrd = initrd;
    qc.console_log = dir.file(VmDir::kConsoleLog);
    qc.qemu_log = dir.file(VmDir::kQemuLog);
    if (const char* extra = getenv("MOGU_VM_KERNEL_PARAMS"); extra && *extra) qc.kernel_params.push_back(extra);
    if (o.debug || log::debug_enabled()) {
        qc.kernel_params.push_back("mogu.debug=1");
        qc.verbose_console = true;
    }

    AccelDecision accel = choose_accel(o.accel, kernel, [&] {
        QemuConfig probe = qc;
        probe.accel = Accel::kvm;
        probe.vcpus = 1;
        probe.memory_mib = kDefaultMemoryMiB;
        probe.module_groups = {"base"};
        for (;;) {
            try {
                BootedVm vm = boot_vm(probe, kProbeTimeoutMs);
                return true;
            } catch (const std::exception& e) {
                if (probe.machine == Machine::microvm && o.machine == MachineChoice::automatic &&
                    qemu_lacks_machine(probe.qemu_log)) {
                    probe.machine = Machine::q35;  // a QEMU without microvm says nothing about KVM
                    continue;
                }
                log::info("KVM probe: {}", e.what());
                return false;
            }
        }
    });
    qc.accel = accel.accel;
    // To the log only: create's stderr is the container's (as with runc), not the place for it.
    if (!accel.warning.empty()) log::warn("{}", accel.warning);

    KeeperPlan plan;
    plan.dir = dir.path();
    plan.boot_timeout_ms = o.boot_timeout_s * 1000;
    plan.machine_fallback = o.machine == MachineChoice::automatic;
    plan.request.set_id(opts.id);
    plan.request.set_config_json(b.config_json);
    for (auto& f : b.files) *plan.request.add_files() = f;
    auto* rootfs = plan.request.mutable_rootfs();
    rootfs->set_source("rootfs");
    if (o.rootfs == RootfsMode::block) {
        mkdir_p(disk_dir(), 0700);
        plan.image = make_rootfs_image(b.rootfs, path_join(disk_dir(), fmt::format("{}-{}.img", opts.id, random_suffix())));
        qc.disk = plan.image.path();
        qc.module_groups = {"base", "ext4"};
        rootfs->set_kind(v1::Rootfs::BLOCK);
        rootfs->set_fstype("ext4");
    } else if (o.rootfs == RootfsMode::device) {
        // The device itself, no copy: the container's writes land in it (the snapshot), and
        // nothing deletes it (plan.image stays empty).
        qc.disk = o.rootfs_device;
        qc.disk_cache = "none";
        qc.readonly = std::find(o.rootfs_options.begin(), o.rootfs_options.end(), "ro") != o.rootfs_options.end();
        qc.module_groups = {"base", "ext4"};
        rootfs->set_kind(v1::Rootfs::BLOCK);
        rootfs->set_fstype(o.rootfs_fstype);
        for (auto& opt : o.rootfs_options) rootfs->add_options(opt);
    } else {
        qc.share = b.rootfs;
        qc.module_groups = {"base", "9p"};
        rootfs->set_kind(v1::Rootfs::NINEP);
    }
    std::vector<ShareBind> binds;
    std::optional<PodNetwork> network;
    if (pod.role == PodRole::sandbox) {
        // The pod's VM: its network namespace is the VM's, its share takes the other containers.
        pod_share = pod_share_dir(dir.path());
        mkdir_p(pod_share, 0700);
        qc.pod_share = pod_share;
        if (std::find(qc.module_groups.begin(), qc.module_groups.end(), "9p") == qc.module_groups.end())
            qc.module_groups.push_back("9p");
        plan.request.set_vm_network(true);
        binds = share_directories(b, pod_share, opts.id, plan.request);
        if (std::string netns = spec_netns_path(b.spec); !netns.empty()) network = connect_pod_network(netns);
        if (network) {
            qc.tap_fd = network->tap.get();
            qc.mac = network->guest.mac();
            qc.module_groups.push_back("net");
            *plan.request.mutable_network() = network->guest;
        }
    }
    plan.qemu = qc;
    plan.console_socket = terminal ? opts.console_socket : "";
    VmState& st = plan.state;
    st.id = opts.id;
    st.bundle = b.bundle;
    st.rootfs = b.rootfs;
    st.created = rfc3339_nano_now();
    st.accel = accel_name(qc.accel);
    st.vcpus = qc.vcpus;
    st.memory_mib = qc.memory_mib;
    st.rootfs_mode = o.rootfs == RootfsMode::block ? "block" : o.rootfs == RootfsMode::device ? "device" : "9p";
    st.image = plan.image.path();
    st.annotations = b.spec.annotations;
    st.pod_share = pod_share;
    std::unique_ptr<cgroups::Cgroup> cgroup = create_host_cgroup(b.spec, opts.id);
    if (cgroup) st.cgroup = cgroup->path().path;

    pid_t keeper;
    try {
        keeper = fork_reporting_child({qc.tap_fd}, [&] { dir.forget_lock(); }, [&](UniqueFd report) {
            if (cgroup) cgroup->add_process(getpid());  // QEMU is born in it too
            run_keeper(plan, std::move(report));
        });
    } catch (const std::exception& e) {
        throw Error("container {}: {}", opts.id, e.what());  // the keeper removed the disk image too
    }
    plan.image.release();  // the keeper owns the disk now
    write_pid_file(opts.pid_file, keeper);
    if (cgroup) cgroup->release();
    for (auto& bind : binds) bind.release();  // delete unbinds them
    dir.commit();
}

int run(const Context& ctx, const CreateOptions& opts, bool detach) {
    CreateOptions o = opts;
    std::string pid_file = path_join(ctx.root, fmt::format(".run-{}-{}.pid", opts.id, getpid()));
    if (o.pid_file.empty()) o.pid_file = pid_file;
    create(ctx, o);
    auto pid = parse_int(trim(read_file(o.pid_file)));
    if (o.pid_file == pid_file) ::unlink(pid_file.c_str());
    try {
        start(ctx, opts.id);
    } catch (...) {
        remove(ctx, opts.id, true);
        throw;
    }
    if (detach) return 0;
    g_run_keeper = pid_t(*pid);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) signal(s, forward_to_keeper);
    int status = 0;
    while (waitpid(pid_t(*pid), &status, 0) < 0 && errno == EINTR) {
    }
    g_run_keeper = 0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    remove(ctx, opts.id, true);
    return code;
}

}  // namespace mogu::vm
