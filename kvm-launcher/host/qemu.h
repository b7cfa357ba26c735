// QEMU for one micro-VM: -M microvm (virtio-mmio, no firmware, no PCI) or, where QEMU has no
// microvm, q35 (the same devices on PCI); the ELF kernel and the initramfs, the control port as a
// virtio-serial port on a socket QEMU inherits, the rootfs as a virtio-blk disk or a virtio-9p
// share, a pod's share (virtio-9p) and network device (a tap), virtio-rng. Nothing else: no
// display.
#pragma once

#include "common/fd.h"

#include <sys/types.h>

#include <string>
#include <vector>

namespace mogu::vm {

enum class Accel { kvm, tcg };
const char* accel_name(Accel a);

enum class Machine { microvm, q35 };
const char* machine_name(Machine m);

// The fd QemuProcess gives QEMU the tap on (the control socket is 3).
inline constexpr int kTapFd = 4;

struct QemuConfig {
    std::string qemu = "qemu-system-x86_64";
    Accel accel = Accel::tcg;
    Machine machine = Machine::microvm;
    unsigned vcpus = 1;
    unsigned memory_mib = 256;
    std::string kernel, initrd;
    std::vector<std::string> module_groups = {"base"};  // the agent loads these (q35 adds "pci")
    std::vector<std::string> kernel_params;  // appended to the base command line
    std::string disk;                        // raw image exported as virtio-blk serial "rootfs", or
    std::string share;                       // a directory exported as virtio-9p tag "rootfs"
    std::string pod_share;                   // a pod's directory exported as virtio-9p tag "pod"
    int tap_fd = -1;                         // a tap QEMU serves as a virtio-net NIC (QEMU gets it as fd 4)
    std::string mac;                         // that NIC's MAC
    std::string disk_cache = "unsafe";       // "none" for a host block device: writes reach it, not the page cache
    bool readonly = false;
    std::string console_log;                 // the guest's serial console
    bool verbose_console = false;            // the kernel's boot messages too (--debug)
    std::string qemu_log;                    // QEMU's own stdout and stderr
};

// The command line (argv[0] included). control_fd is the socket QEMU will find as that fd.
std::vector<std::string> qemu_argv(const QemuConfig& c, int control_fd);

// The host's TSC frequency in kHz, for tsc_early_khz: without it some microvm boots hang
// calibrating the TSC. From the kernel log, else /proc/cpuinfo.
unsigned long host_tsc_khz();

// QEMU as a child: killed (SIGKILL) and reaped when the owner goes, and killed by the kernel if
// the process that started it dies (PR_SET_PDEATHSIG).
class QemuProcess {
public:
    QemuProcess() = default;
    // Starts QEMU with `control` as its control socket. Throws when QEMU cannot be executed.
    QemuProcess(const QemuConfig& c, UniqueFd control);
    QemuProcess(QemuProcess&&) noexcept;
    QemuProcess& operator=(QemuProcess&&) noexcept;
    ~QemuProcess();

    pid_t pid() const { return pid_; }
    // pidfd: readable when QEMU exits.
    int pidfd() const { return pidfd_.get(); }
    // Non-blocking: true (and the status) once QEMU has exited.
    bool try_reap(int* wait_status);
    // Waits up to timeout_ms for QEMU to exit by itself; then SIGKILL. Returns the wait status.
    int stop(int timeout_ms);
    void kill();

private:
    pid_t pid_ = -1;
    UniqueFd pidfd_;
    int status_ = 0;
    bool reaped_ = false;
};

// True when QEMU's log says it has no such machine type (an old or trimmed QEMU without microvm).
bool qemu_lacks_machine(const std::string& qemu_log);

// "QEMU exited with status 1" / "QEMU was killed by signal 9".
std::string describe_exit(int wait_status);

}  // namespace mogu::vm
