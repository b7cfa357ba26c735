// KVM or TCG. KVM is used when it can boot the guest here: /dev/kvm must be usable, and a probe
// boot under KVM must reach the agent (a nested hypervisor such as PVM may offer /dev/kvm and
// still never finish booting a stock kernel). The probe's verdict is cached per kernel in the
// cache the guest-test harness shares (kvm-probe-<version>, "kvm" or "tcg"), so it runs once.
#pragma once

#include "kvm-launcher/host/kernel.h"
#include "kvm-launcher/host/qemu.h"
#include "kvm-launcher/host/vm_options.h"

#include <functional>
#include <string>

namespace mogu::vm {

struct AccelDecision {
    Accel accel = Accel::tcg;
    std::string warning;  // set when auto fell back to TCG: the one line to tell the user
};

// `probe` boots under KVM and says whether the agent answered; called at most once per kernel
// and machine (under a lock, so concurrent creates wait for one probe).
AccelDecision choose_accel(AccelChoice choice, const Kernel& kernel, const std::function<bool()>& probe);

// Whether /dev/kvm can be opened read-write; the reason when not.
std::string kvm_unusable_reason();

}  // namespace mogu::vm
