#include "kvm-launcher/host/qemu.h"

#include "common/error.h"
#include "common/files.h"
#include "common/strings.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace mogu::vm {

const char* accel_name(Accel a) { return a == Accel::kvm ? "kvm" : "tcg"; }

const char* machine_name(Machine m) { return m == Machine::q35 ? "q35" : "microvm"; }

bool qemu_lacks_machine(const std::string& qemu_log) {
    auto text = read_file_if_exists(qemu_log);
    return text && text->find("unsupported machine type") != std::string::npos;
}

unsigned long host_tsc_khz() {
    // The host kernel measured it at boot: "tsc: Refined TSC clocksource calibration: 2894.561 MHz"
    // or "tsc: Detected 2894.561 MHz processor". /proc/cpuinfo's "cpu MHz" is close enough otherwise.
    static unsigned long cached = [] {
        auto parse_mhz = [](const std::string& text, const std::string& marker) -> double {
            size_t at = text.find(marker);
            if (at == std::string::npos) return 0;
            return strtod(text.c_str() + at + marker.size(), nullptr);
        };
        double mhz = 0;
        if (auto info = read_file_if_exists("/proc/cpuinfo")) mhz = parse_mhz(*info, "cpu MHz\t\t: ");
        return mhz > 0 ? (unsigned long)(mhz * 1000) : 2000000UL;
    }();
    return cached;
}

std::vector<std::string> qemu_argv(const QemuConfig& c, int control_fd) {
    bool q35 = c.machine == Machine::q35;
    // The same virtio devices on microvm's virtio-mmio ("-device") or on q35's PCI ("-pci").
    auto dev = [&](const char* base) { return std::string(base) + (q35 ? "-pci" : "-device"); };
    std::vector<std::string> a = {
        c.qemu,
        "-M", q35 ? "q35" : "microvm,x-option-roms=off,rtc=on",
        "-accel", c.accel == Accel::kvm ? "kvm" : "tcg,thread=multi,tb-size=64",
        "-cpu", c.accel == Accel::kvm ? "host" : "max",
        "-smp", std::to_string(c.vcpus),
        "-m", std::to_string(c.memory_mib),
        "-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-monitor", "none",
        // QEMU's own seccomp filter: a guest that breaks into QEMU cannot exec, change its
        // credentials or use obsolete system calls.
        "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
        "-serial", c.console_log.empty() ? "null" : "file:" + c.console_log,
        "-kernel", c.kernel,
        "-initrd", c.initrd,
        "-object", "rng-random,id=rng,filename=/dev/urandom",
        "-device", dev("virtio-rng") + ",rng=rng",
        "-chardev", fmt::format("socket,id=ctl,fd={}", control_fd),
        "-device", dev("virtio-serial") + ",max_ports=2",
        "-device", "virtserialport,chardev=ctl,name=mogu.ctl",
    };
    if (!c.disk.empty()) {
        a.insert(a.end(), {"-drive", fmt::format("file={},if=none,id=rootfs,format=raw,cache={},discard=ignore{}", c.disk,
                                                 c.disk_cache, c.readonly ? ",readonly=on" : ""),
                           "-device", dev("virtio-blk") + ",drive=rootfs,serial=rootfs"});
    }
    if (!c.share.empty()) {
        a.insert(a.end(), {"-fsdev", fmt::format("local,id=rootfs,path={},security_model=passthrough,multidevs=remap{}", c.share,
                                                 c.readonly ? ",readonly=on" : ""),
                           "-device", dev("virtio-9p") + ",fsdev=rootfs,mount_tag=rootfs"});
    }
    if (!c.pod_share.empty()) {
        a.insert(a.end(), {"-fsdev", fmt::format("local,id=pod,path={},security_model=passthrough,multidevs=remap", c.pod_share),
                           "-device", dev("virtio-9p") + ",fsdev=pod,mount_tag=pod"});
    }
    if (c.tap_fd >= 0) {
        a.insert(a.end(), {"-netdev", fmt::format("tap,id=net0,fd={},vhost=off", kTapFd),
                           "-device", dev("virtio-net") + ",netdev=net0,mac=" + c.mac});
    }
    // cryptomgr.notests: the boot-time self-tests of every crypto algorithm cost ~0.6 s under TCG.
    std::string cmdline = fmt::format(
        "console=ttyS0 panic=-1 rdinit=/init tsc_early_khz={} tsc=reliable cgroup_no_v1=all cryptomgr.notests",
        host_tsc_khz());
    if (!c.verbose_console) cmdline += " quiet";
    std::vector<std::string> groups = c.module_groups;
    if (q35) groups.insert(groups.begin() + (groups.empty() ? 0 : 1), "pci");
    cmdline += " mogu.modules=" + join(groups, ",");
    for (const auto& p : c.kernel_params) cmdline += " " + p;
    a.insert(a.end(), {"-append", cmdline});
    return a;
}

QemuProcess::QemuProcess(const QemuConfig& c, UniqueFd control) {
    std::vector<std::string> argv = qemu_argv(c, 3);
    std::vector<char*> args;
    for (auto& s : argv) args.push_back(s.data());
    args.push_back(nullptr);
    UniqueFd log;
    if (!c.qemu_log.empty()) {
        log.reset(::open(c.qemu_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!log) throw SysError(errno, "open {}", c.qemu_log);
    }
    int err_pipe[2];
    check(pipe2(err_pipe, O_CLOEXEC), "pipe");
    UniqueFd err_r(err_pipe[0]), err_w(err_pipe[1]);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) throw SysError(errno, "fork for QEMU");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        setpgid(0, 0);  // terminal signals meant for the caller do not reach the VM
        int devnull = ::open("/dev/null", O_RDWR);
        int out = log ? log.get() : devnull;
        int ctl = control.get(), tap = c.tap_fd;
        // Out of the way of the fds they become (0-2, 3 the control socket, 4 the tap).
        if (ctl <= kTapFd) ctl = fcntl(ctl, F_DUPFD_CLOEXEC, 10);
        if (out <= kTapFd) out = fcntl(out, F_DUPFD_CLOEXEC, 10);
        if (tap >= 0 && tap <= kTapFd) tap = fcntl(tap, F_DUPFD_CLOEXEC, 10);
        if (dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 || dup2(ctl, 3) < 0) _exit(126);
        if (tap >= 0 && dup2(tap, kTapFd) < 0) _exit(126);
        execvp(args[0], args.data());
        int e = errno;
        ssize_t n = ::write(err_w.get(), &e, sizeof e);
        (void)n;
        _exit(127);
    }
    err_w.reset();
    int e = 0;
    ssize_t n;
    do n = ::read(err_r.get(), &e, sizeof e);
    while (n < 0 && errno == EINTR);
    if (n == sizeof e) {
        int st;
        waitpid(pid, &st, 0);
        throw SysError(e, "execute {}{}", c.qemu, e == ENOENT ? " (apt-get install qemu-system-x86)" : "");
    }
    pid_ = pid;
    pidfd_.reset(int(syscall(SYS_pidfd_open, pid, 0)));
}

QemuProcess::QemuProcess(QemuProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), pidfd_(std::move(o.pidfd_)), status_(o.status_), reaped_(o.reaped_) {}

QemuProcess& QemuProcess::operator=(QemuProcess&& o) noexcept {
    if (this != &o) {
        kill();
        pid_ = std::exchange(o.pid_, -1);
        pidfd_ = std::move(o.pidfd_);
        status_ = o.status_;
        reaped_ = o.reaped_;
    }
    return *this;
}

QemuProcess::~QemuProcess() { kill(); }

bool QemuProcess::try_reap(int* wait_status) {
    if (pid_ < 0) return true;
    if (!reaped_) {
        pid_t r = waitpid(pid_, &status_, WNOHANG);
        if (r == 0) return false;
        reaped_ = true;
    }
    if (wait_status) *wait_status = status_;
    return true;
}

int QemuProcess::stop(int timeout_ms) {
    if (pid_ < 0) return status_;
    if (!reaped_) {
        pollfd p{pidfd_.get(), POLLIN, 0};
        if (pidfd_ && ::poll(&p, 1, timeout_ms) <= 0) ::kill(pid_, SIGKILL);
        while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
        }
        reaped_ = true;
    }
    return status_;
}

void QemuProcess::kill() {
    if (pid_ < 0) return;
    if (!reaped_) {
        ::kill(pid_, SIGKILL);
        while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
        }
        reaped_ = true;
    }
    pid_ = -1;
    pidfd_.reset();
}

std::string describe_exit(int st) {
    if (WIFEXITED(st)) return fmt::format("QEMU exited with status {}", WEXITSTATUS(st));
    if (WIFSIGNALED(st)) return fmt::format("QEMU was killed by signal {} ({})", WTERMSIG(st), strsignal(WTERMSIG(st)));
    return "QEMU stopped";
}

}  // namespace mogu::vm
