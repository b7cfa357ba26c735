#include "kvm-launcher/host/vm_options.h"

#include "common/error.h"
#include "common/strings.h"

#include <cstdlib>

namespace mogu::vm {
namespace {

std::string annotation(const oci::Spec& s, const char* key) {
    auto it = s.annotations.find(key);
    return it == s.annotations.end() ? "" : it->second;
}

std::string env(const char* name) {
    const char* v = getenv(name);
    return v ? v : "";
}

unsigned parse_count(const std::string& text, const std::string& where, unsigned lo, unsigned hi) {
    auto v = parse_uint(text);
    if (!v || *v < lo || *v > hi) throw SpecError(where, "expected a whole number from {} to {}, got \"{}\"", lo, hi, text);
    return unsigned(*v);
}

AccelChoice parse_accel(const std::string& text, const std::string& where) {
    if (text.empty() || text == "auto") return AccelChoice::automatic;
    if (text == "kvm") return AccelChoice::kvm;
    if (text == "tcg") return AccelChoice::tcg;
    throw SpecError(where, "expected auto, kvm or tcg, got \"{}\"", text);
}

}  // namespace

unsigned cpuset_count(const std::string& cpus) {
    unsigned n = 0;
    for (auto& part : split(cpus, ',')) {
        std::string p(trim(part));
        if (p.empty()) continue;
        auto dash = p.find('-');
        auto lo = parse_uint(p.substr(0, dash));
        auto hi = dash == std::string::npos ? lo : parse_uint(p.substr(dash + 1));
        if (!lo || !hi || *hi < *lo) return 0;
        n += unsigned(*hi - *lo + 1);
    }
    return n;
}

unsigned vcpus_for(const oci::Spec& s) {
    if (!s.linux || !s.linux->resources || !s.linux->resources->cpu) return kDefaultVcpus;
    const auto& cpu = *s.linux->resources->cpu;
    if (cpu.quota && *cpu.quota > 0) {
        uint64_t period = cpu.period && *cpu.period > 0 ? *cpu.period : 100000;
        return unsigned((uint64_t(*cpu.quota) + period - 1) / period);
    }
    if (unsigned n = cpuset_count(cpu.cpus)) return n;
    return kDefaultVcpus;
}

unsigned memory_mib_for(const oci::Spec& s) {
    if (!s.linux || !s.linux->resources || !s.linux->resources->memory) return kDefaultMemoryMiB;
    const auto& m = *s.linux->resources->memory;
    if (!m.limit || *m.limit <= 0) return kDefaultMemoryMiB;
    uint64_t mib = (uint64_t(*m.limit) + (1 << 20) - 1) >> 20;
    return unsigned(std::max<uint64_t>(mib + kGuestOverheadMiB, kMinMemoryMiB));
}

VmOptions vm_options(const oci::Spec& s, unsigned host_cpus) {
    VmOptions o;
    o.vcpus = vcpus_for(s);
    o.memory_mib = memory_mib_for(s);
    std::string a;
    if (!(a = annotation(s, kVcpusAnnotation)).empty())
        o.vcpus = parse_count(a, std::string("annotations.") + kVcpusAnnotation, 1, 255);
    if (!(a = annotation(s, kMemoryAnnotation)).empty())
        o.memory_mib = parse_count(a, std::string("annotations.") + kMemoryAnnotation, kMinMemoryMiB, 1 << 20);
    // More vCPUs than the host has only makes the guest slower.
    if (host_cpus > 0 && o.vcpus > host_cpus) o.vcpus = host_cpus;

    a = annotation(s, kRootfsAnnotation);
    if (a.empty() || a == "block") o.rootfs = RootfsMode::block;
    else if (a == "9p") o.rootfs = RootfsMode::share;
    else throw SpecError(std::string("annotations.") + kRootfsAnnotation, "expected block or 9p, got \"{}\"", a);
    if (std::string dev = annotation(s, kRootfsDeviceAnnotation); !dev.empty()) {
        if (a == "9p")
            throw SpecError(std::string("annotations.") + kRootfsAnnotation, "9p cannot be used with {} (a block device)",
                            kRootfsDeviceAnnotation);
        if (dev[0] != '/')
            throw SpecError(std::string("annotations.") + kRootfsDeviceAnnotation, "expected an absolute path, got \"{}\"", dev);
        o.rootfs = RootfsMode::device;
        o.rootfs_device = dev;
        std::string type = annotation(s, kRootfsFstypeAnnotation);
        if (!type.empty()) o.rootfs_fstype = type;
        // The guest's initramfs has ext4 only (which also mounts ext2 and ext3).
        if (o.rootfs_fstype != "ext4" && o.rootfs_fstype != "ext3" && o.rootfs_fstype != "ext2")
            throw SpecError(std::string("annotations.") + kRootfsFstypeAnnotation,
                            "the guest can mount ext4, ext3 or ext2, got \"{}\"", o.rootfs_fstype);
        for (auto& opt : split(annotation(s, kRootfsOptionsAnnotation), ','))
            if (!trim(opt).empty()) o.rootfs_options.emplace_back(trim(opt));
    } else {
        for (const char* key : {kRootfsFstypeAnnotation, kRootfsOptionsAnnotation})
            if (!annotation(s, key).empty())
                throw SpecError(std::string("annotations.") + key, "only means something with {}", kRootfsDeviceAnnotation);
    }

    o.kernel = annotation(s, kKernelAnnotation);
    if (o.kernel.empty()) o.kernel = env("MOGU_VM_KERNEL");
    std::string accel = annotation(s, kAccelAnnotation);
    o.accel = accel.empty() ? parse_accel(env("MOGU_VM_ACCEL"), "MOGU_VM_ACCEL")
                            : parse_accel(accel, std::string("annotations.") + kAccelAnnotation);
    std::string machine = annotation(s, kMachineAnnotation);
    if (machine.empty() || machine == "auto") o.machine = MachineChoice::automatic;
    else if (machine == "microvm") o.machine = MachineChoice::microvm;
    else if (machine == "q35") o.machine = MachineChoice::q35;
    else throw SpecError(std::string("annotations.") + kMachineAnnotation, "expected auto, microvm or q35, got \"{}\"", machine);
    std::string timeout = annotation(s, kBootTimeoutAnnotation);
    if (!timeout.empty()) o.boot_timeout_s = parse_count(timeout, std::string("annotations.") + kBootTimeoutAnnotation, 1, 3600);
    else if (!(timeout = env("MOGU_VM_BOOT_TIMEOUT")).empty()) o.boot_timeout_s = parse_count(timeout, "MOGU_VM_BOOT_TIMEOUT", 1, 3600);
    if (auto q = env("MOGU_VM_QEMU"); !q.empty()) o.qemu = q;
    return o;
}

}  // namespace mogu::vm
