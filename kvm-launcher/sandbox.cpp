#include "kvm-launcher/sandbox.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "kvm-launcher/host/accel.h"
#include "kvm-launcher/host/agent_client.h"
#include "kvm-launcher/host/boot.h"
#include "kvm-launcher/host/fds.h"
#include "kvm-launcher/host/guest_request.h"
#include "kvm-launcher/host/host_cgroup.h"
#include "kvm-launcher/host/initramfs.h"
#include "kvm-launcher/host/kernel.h"
#include "kvm-launcher/host/keeper.h"
#include "kvm-launcher/host/stdio_pump.h"
#include "kvm-launcher/host/vm_options.h"
#include "kvm-launcher/host/vm_state.h"
#include "runtime/proc_info.h"
#include "runtime/state.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>
#include <thread>

namespace mogu::vm {
namespace {

namespace v1 = agent::v1;

constexpr int kCallTimeoutMs = 30000;
constexpr int kQuickTimeoutMs = 10000;
constexpr int kProbeTimeoutMs = 20000;

std::string disk_dir() {
    const char* env = getenv("MOGU_VM_DISKS");
    return env && *env ? env : "/var/lib/mogu-vm/disks";
}

std::string find_in_path(const std::string& prog) {
    if (prog.find('/') != std::string::npos) return access(prog.c_str(), X_OK) == 0 ? prog : "";
    const char* path = getenv("PATH");
    for (auto& dir : split(path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
        std::string p = path_join(dir.empty() ? "." : dir, prog);
        if (access(p.c_str(), X_OK) == 0) return p;
    }
    return "";
}

std::string random_suffix() {
    std::random_device rd;
    return fmt::format("{:08x}", rd());
}

void write_pid_file(const std::string& path, pid_t pid) {
    if (path.empty()) return;
    write_file_atomic(path, std::to_string(pid), 0644);
}

bool keeper_alive(const VmState& st) { return st.pid > 0 && runtime::process_alive(st.pid, st.pid_start); }

// Waits up to timeout_ms for a process that is not our child to be gone (or a zombie).
void wait_gone(pid_t pid, uint64_t start, int timeout_ms) {
    UniqueFd pidfd(int(syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd) {
        pollfd p{pidfd.get(), POLLIN, 0};
        ::poll(&p, 1, timeout_ms);
        return;
    }
    for (int waited = 0; waited < timeout_ms && runtime::process_alive(pid, start); waited += 10) usleep(10000);
}

void kill_process(pid_t pid, uint64_t start) {
    if (pid <= 0 || !runtime::process_alive(pid, start)) return;
    ::kill(pid, SIGKILL);
    wait_gone(pid, start, 5000);
}

AgentClient connect_keeper(const VmDir& dir, const VmState& st) {
    if (!keeper_alive(st)) throw Error("container {} is not running", st.id);
    return AgentClient::connect(dir.file(VmDir::kSocket), st.id);
}

bool json_terminal(const std::string& process_json, const std::string& source) {
    JsonDoc doc = JsonDoc::parse(process_json, source);
    auto t = doc.root().get("terminal");
    return t && t->as_bool();
}

unsigned host_cpus() {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? unsigned(n) : 1;
}

}  // namespace

void create(const Context& ctx, const CreateOptions& opts) {
    runtime::validate_container_id(opts.id);
    if (VmDir::is_vm(ctx.root, opts.id) || path_exists(path_join(ctx.root, opts.id)))
        throw Error("container {} already exists", opts.id);
    PreparedBundle b = prepare_bundle(opts.bundle);
    VmOptions o = vm_options(b.spec, host_cpus());
    bool terminal = b.spec.process->terminal;
    if (terminal && opts.console_socket.empty())
        throw Error("process.terminal is set: create needs --console-socket to hand the terminal over");
    std::string qemu = find_in_path(o.qemu);
    if (qemu.empty()) throw Error("{} not found (apt-get install qemu-system-x86)", o.qemu);
    Kernel kernel = find_kernel(o.kernel);
    std::string initrd = initramfs_for(kernel, find_agent_binary());

    VmDir dir = VmDir::create(ctx.root, opts.id);
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
    } else {
        qc.share = b.rootfs;
        qc.module_groups = {"base", "9p"};
        rootfs->set_kind(v1::Rootfs::NINEP);
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
    st.rootfs_mode = o.rootfs == RootfsMode::block ? "block" : "9p";
    st.image = plan.image.path();
    st.annotations = b.spec.annotations;
    std::unique_ptr<cgroups::Cgroup> cgroup = create_host_cgroup(b.spec, opts.id);
    if (cgroup) st.cgroup = cgroup->path().path;

    int p[2];
    check(pipe2(p, O_CLOEXEC), "pipe");
    UniqueFd report_r(p[0]), report_w(p[1]);
    pid_t keeper = fork();
    if (keeper < 0) throw SysError(errno, "fork the VM keeper");
    if (keeper == 0) {
        report_r.reset();
        dir.forget_lock();
        close_fds_except({report_w.get()});
        setsid();
        try {
            if (cgroup) cgroup->add_process(getpid());  // QEMU is born in it too
            run_keeper(plan, std::move(report_w));
        } catch (...) {
        }
        _exit(1);
    }
    plan.image.release();  // the keeper owns the disk now
    report_w.reset();
    try {
        read_keeper_report(report_r.get());
    } catch (const std::exception& e) {
        int status;
        while (waitpid(keeper, &status, 0) < 0 && errno == EINTR) {
        }
        throw Error("container {}: {}", opts.id, e.what());
    }
    write_pid_file(opts.pid_file, keeper);
    if (cgroup) cgroup->release();
    dir.commit();
}

void start(const Context& ctx, const std::string& id) {
    VmDir dir = VmDir::open(ctx.root, id);
    VmState st = dir.read_state();
    AgentClient c = connect_keeper(dir, st);
    c.call<v1::Empty>("StartContainer", container_request(id), kCallTimeoutMs);
}

ContainerInfo query(const Context& ctx, const std::string& id) {
    VmDir dir = VmDir::open(ctx.root, id, false);
    VmState st = dir.read_state();
    ContainerInfo c;
    c.id = st.id;
    c.bundle = st.bundle;
    c.rootfs = st.rootfs;
    c.created = st.created;
    c.annotations = st.annotations;
    c.annotations[kAccelAnnotation] = st.accel;
    c.annotations[kMachineAnnotation] = st.machine;
    c.annotations["io.mogu.vm.kernel-release"] = st.kernel;
    c.annotations[kVcpusAnnotation] = std::to_string(st.vcpus);
    c.annotations[kMemoryAnnotation] = std::to_string(st.memory_mib);
    c.annotations[kRootfsAnnotation] = st.rootfs_mode;
    c.status = "stopped";
    if (keeper_alive(st)) {
        c.pid = st.pid;
        std::optional<AgentClient> client;
        try {
            client.emplace(AgentClient::connect(dir.file(VmDir::kSocket), id));
        } catch (const std::exception&) {
            // No socket: the keeper is winding down after the VM went off.
        }
        if (client) {
            try {
                auto r = client->call<v1::StateResponse>("State", container_request(id), kQuickTimeoutMs);
                c.status = r.status();
                if (c.status == "stopped") c.exit_code = r.exit_code();
            } catch (const ttrpc::StatusError& e) {
                // Unavailable: the VM is gone and the keeper is winding down. Anything else: the
                // keeper lives but the guest does not answer; still running, as far as anyone knows.
                c.status = e.code() == ttrpc::Code::unavailable ? "stopped" : "running";
                if (c.status == "running") log::warn("{}: the guest does not answer State: {}", id, e.what());
            }
        }
    }
    if (c.status == "stopped") {
        if (auto e = dir.read_exit()) {
            c.exit_code = e->exit_code;
            c.error = e->error;
        }
    }
    return c;
}

std::vector<ContainerInfo> list(const Context& ctx) {
    std::vector<ContainerInfo> out;
    for (auto& id : VmDir::list(ctx.root)) {
        try {
            out.push_back(query(ctx, id));
        } catch (const std::exception& e) {
            log::warn("{}: {}", id, e.what());
        }
    }
    return out;
}

std::string state_json(const ContainerInfo& c) {
    JsonWriter w(true);
    w.begin_object()
        .kv("ociVersion", "1.0.2")
        .kv("id", c.id)
        .kv("pid", int64_t(c.pid))
        .kv("status", c.status)
        .kv("bundle", c.bundle)
        .kv("rootfs", c.rootfs)
        .kv("created", c.created)
        .kv("owner", "");
    w.key("annotations").begin_object();
    for (auto& [k, v] : c.annotations) w.kv(k, v);
    w.end_object().end_object();
    return w.str();
}

void kill(const Context& ctx, const std::string& id, int signal, bool all) {
    VmDir dir = VmDir::open(ctx.root, id, false);
    VmState st = dir.read_state();
    AgentClient c = connect_keeper(dir, st);
    v1::SignalRequest req;
    req.set_id(id);
    req.set_signal(uint32_t(signal));
    req.set_all(all);
    try {
        c.call<v1::Empty>("SignalProcess", req, kQuickTimeoutMs);
    } catch (const ttrpc::StatusError& e) {
        if (signal != SIGKILL || e.code() == ttrpc::Code::not_found || e.code() == ttrpc::Code::failed_precondition) {
            if (e.code() == ttrpc::Code::not_found) throw Error("container {} is not running", id);
            throw;
        }
        // An agent that does not answer a SIGKILL gets its VM pulled instead.
        log::warn("{}: the agent did not take SIGKILL ({}); killing the VM", id, e.what());
        kill_process(st.pid, st.pid_start);
    }
}

void remove(const Context& ctx, const std::string& id, bool force) {
    VmDir dir = VmDir::open(ctx.root, id);
    VmState st = dir.read_state();
    if (keeper_alive(st)) {
        std::string status = query(ctx, id).status;
        if ((status == "running" || status == "paused") && !force)
            throw Error("cannot delete container {} that is not stopped: {}", id, status);
        kill_process(st.pid, st.pid_start);
    }
    kill_process(st.qemu_pid, st.qemu_start);  // normally gone with the keeper (PR_SET_PDEATHSIG)
    if (!st.image.empty()) ::unlink(st.image.c_str());
    remove_host_cgroup(st.cgroup);
    dir.remove();
}

int exec(const Context& ctx, const ExecOptions& opts) {
    VmDir dir = VmDir::open(ctx.root, opts.id, false);
    VmState st = dir.read_state();
    if (!keeper_alive(st)) throw Error("container {} is not running", opts.id);
    bool terminal = json_terminal(opts.process_json, "process.json");
    if (terminal && opts.console_socket.empty())
        throw Error("the process has a terminal: exec needs --console-socket to hand it over");
    static std::atomic<unsigned> seq{0};
    std::string exec_id = fmt::format("exec-{}-{}-{}", getpid(), seq++, random_suffix());
    std::string socket = dir.file(VmDir::kSocket);

    // Connects, starts the process, then copies its stdio and waits: in this process, or in a
    // detached child that exits with the process's exit code.
    auto begin = [&](std::unique_ptr<AgentClient>& c, UniqueFd& tty) {
        c = std::make_unique<AgentClient>(AgentClient::connect(socket, opts.id));
        if (terminal) tty = UniqueFd(open_console_for(opts.console_socket));
        v1::ExecProcessRequest req;
        req.set_id(opts.id);
        req.set_exec_id(exec_id);
        req.set_process_json(opts.process_json);
        c->call<v1::Empty>("ExecProcess", req, kCallTimeoutMs);
    };
    auto finish = [&](AgentClient& c, int tty) {
        HostStdio stdio;
        if (tty >= 0) stdio = {-1, -1, -1, tty};
        StdioPump pump(c.raw(), opts.id, exec_id, stdio);
        if (tty >= 0) {
            // Resizes of the master (by whoever got it) arrive as SIGWINCH, blocked since the start.
            std::thread([&pump] {
                sigset_t winch;
                sigemptyset(&winch);
                sigaddset(&winch, SIGWINCH);
                for (int sig; sigwait(&winch, &sig) == 0;) pump.resize();
            }).detach();
        }
        auto r = c.raw().call(kAgentService, "WaitProcess", process_request(opts.id, exec_id).SerializeAsString());
        v1::WaitResponse w;
        if (!r.status.ok() || !w.ParseFromString(r.payload)) {
            log::error("{}: waiting for {}: {}", opts.id, exec_id, r.status.message);
            return 255;
        }
        pump.join_output();
        return w.exit_code();
    };

    sigset_t winch;
    sigemptyset(&winch);
    sigaddset(&winch, SIGWINCH);
    if (terminal) pthread_sigmask(SIG_BLOCK, &winch, nullptr);
    if (!opts.detach) {
        std::unique_ptr<AgentClient> c;
        UniqueFd tty;
        begin(c, tty);
        return finish(*c, tty.get());
    }
    int p[2];
    check(pipe2(p, O_CLOEXEC), "pipe");
    UniqueFd report_r(p[0]), report_w(p[1]);
    pid_t child = fork();
    if (child < 0) throw SysError(errno, "fork");
    if (child == 0) {
        report_r.reset();
        close_fds_except({report_w.get()});
        setsid();
        signal(SIGPIPE, SIG_IGN);
        std::unique_ptr<AgentClient> c;
        UniqueFd tty;
        try {
            begin(c, tty);
        } catch (const std::exception& e) {
            std::string msg = e.what();
            ssize_t n = ::write(report_w.get(), msg.data(), msg.size());
            (void)n;
            _exit(1);
        }
        ssize_t n = ::write(report_w.get(), "ok", 2);
        (void)n;
        report_w.reset();
        if (tty) ioctl(tty.get(), TIOCSCTTY, 0);
        _exit(finish(*c, tty.get()));
    }
    report_w.reset();
    try {
        read_keeper_report(report_r.get());
    } catch (...) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        throw;
    }
    write_pid_file(opts.pid_file, child);
    return 0;
}

namespace {
std::atomic<pid_t> g_run_keeper{0};
void forward_to_keeper(int sig) {
    if (pid_t p = g_run_keeper.load()) ::kill(p, sig);
}
}  // namespace

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

std::vector<pid_t> pids(const Context& ctx, const std::string& id) {
    VmDir dir = VmDir::open(ctx.root, id, false);
    VmState st = dir.read_state();
    if (!keeper_alive(st)) return {};
    AgentClient c = connect_keeper(dir, st);
    auto r = c.call<v1::PidsResponse>("Pids", container_request(id), kQuickTimeoutMs);
    return std::vector<pid_t>(r.pids().begin(), r.pids().end());
}

void pause(const Context& ctx, const std::string& id) {
    VmDir dir = VmDir::open(ctx.root, id);
    VmState st = dir.read_state();
    connect_keeper(dir, st).call<v1::Empty>("Pause", container_request(id), kQuickTimeoutMs);
}

void resume(const Context& ctx, const std::string& id) {
    VmDir dir = VmDir::open(ctx.root, id);
    VmState st = dir.read_state();
    connect_keeper(dir, st).call<v1::Empty>("Resume", container_request(id), kQuickTimeoutMs);
}

void update(const Context& ctx, const std::string& id, const std::string& resources_json) {
    VmDir dir = VmDir::open(ctx.root, id);
    VmState st = dir.read_state();
    v1::UpdateRequest req;
    req.set_id(id);
    req.set_resources_json(resources_json);
    connect_keeper(dir, st).call<v1::Empty>("Update", req, kQuickTimeoutMs);
}

}  // namespace mogu::vm
