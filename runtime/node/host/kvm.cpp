// Whether KVM can run a guest here: /dev/kvm opens, and a one-instruction real-mode guest (hlt)
// runs to its exit. A nested hypervisor may pass this and still fail to boot a full kernel;
// mogu-vm's own boot probe decides that (its verdict is cached, see docs/vm.md).
#include "common/error.h"
#include "common/fd.h"
#include "common/files.h"
#include "runtime/node/host/probes.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>

#include <fmt/core.h>

namespace mogu::node {
namespace {

class Mapping {
public:
    Mapping(void* p, size_t n) : p_(p), n_(n) {}
    ~Mapping() {
        if (p_ != MAP_FAILED) munmap(p_, n_);
    }
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    void* get() const { return p_; }
    bool ok() const { return p_ != MAP_FAILED; }

private:
    void* p_;
    size_t n_;
};

// Stops a KVM_RUN that never returns (a broken nested setup): SIGALRM without SA_RESTART
// makes the ioctl fail with EINTR; the old handler and timer come back on destruction.
class RunDeadline {
public:
    explicit RunDeadline(int seconds) {
        struct sigaction sa = {};
        sa.sa_handler = [](int) {};
        sigaction(SIGALRM, &sa, &old_);
        struct itimerval t = {};
        t.it_value.tv_sec = seconds;
        setitimer(ITIMER_REAL, &t, &old_timer_);
    }
    ~RunDeadline() {
        setitimer(ITIMER_REAL, &old_timer_, nullptr);
        sigaction(SIGALRM, &old_, nullptr);
    }

private:
    struct sigaction old_ = {};
    struct itimerval old_timer_ = {};
};

// Runs the guest; throws what failed.
void run_hlt_guest(int kvm) {
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) throw Error("/dev/kvm speaks an unknown KVM API version");
    UniqueFd vm(ioctl(kvm, KVM_CREATE_VM, 0));
    if (!vm) throw SysError(errno, "KVM_CREATE_VM");
    const size_t mem_size = 0x2000;
    Mapping mem(mmap(nullptr, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mem_size);
    if (!mem.ok()) throw SysError(errno, "mmap guest memory");
    static_cast<unsigned char*>(mem.get())[0x1000] = 0xf4;  // hlt
    struct kvm_userspace_memory_region region = {};
    region.memory_size = mem_size;
    region.userspace_addr = reinterpret_cast<uint64_t>(mem.get());
    check(ioctl(vm.get(), KVM_SET_USER_MEMORY_REGION, &region), "KVM_SET_USER_MEMORY_REGION");
    UniqueFd vcpu(ioctl(vm.get(), KVM_CREATE_VCPU, 0));
    if (!vcpu) throw SysError(errno, "KVM_CREATE_VCPU");
    int run_size = check(ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), "KVM_GET_VCPU_MMAP_SIZE");
    Mapping run_map(mmap(nullptr, static_cast<size_t>(run_size), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu.get(), 0),
                    static_cast<size_t>(run_size));
    if (!run_map.ok()) throw SysError(errno, "mmap the vCPU's kvm_run");
    struct kvm_sregs sregs;
    check(ioctl(vcpu.get(), KVM_GET_SREGS, &sregs), "KVM_GET_SREGS");
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    check(ioctl(vcpu.get(), KVM_SET_SREGS, &sregs), "KVM_SET_SREGS");
    struct kvm_regs regs = {};
    regs.rip = 0x1000;
    regs.rflags = 0x2;
    check(ioctl(vcpu.get(), KVM_SET_REGS, &regs), "KVM_SET_REGS");
    int rc;
    {
        RunDeadline deadline(3);
        rc = ioctl(vcpu.get(), KVM_RUN, 0);
    }
    if (rc < 0 && errno == EINTR) throw Error("KVM_RUN did not come back within 3 s");
    if (rc < 0) throw SysError(errno, "KVM_RUN");
    auto* run = static_cast<struct kvm_run*>(run_map.get());
    if (run->exit_reason != KVM_EXIT_HLT) throw Error("the test guest stopped with exit reason {}, not hlt", run->exit_reason);
}

}  // namespace

void probe_kvm(Report& r) {
    UniqueFd kvm(open("/dev/kvm", O_RDWR | O_CLOEXEC));
    if (!kvm) {
        r.warn("vm", "KVM", fmt::format("/dev/kvm: {}: mogu-vm falls back to TCG (about ten times slower)", strerror(errno)),
               errno == ENOENT ? "load kvm-intel or kvm-amd (on a VM: enable nested virtualisation)"
                               : "give the user of mogu-vm read-write access to /dev/kvm (group kvm)");
        return;
    }
    try {
        run_hlt_guest(kvm.get());
        r.ok("vm", "KVM", "/dev/kvm runs a test guest to its hlt; mogu-vm still probes a full boot once (see docs/vm.md)");
    } catch (const Error& e) {
        r.warn("vm", "KVM", fmt::format("/dev/kvm opens, but a test guest does not run: {}; mogu-vm falls back to TCG", e.what()),
               "check the host's (or the outer hypervisor's) KVM support");
    }
}

}  // namespace mogu::node
