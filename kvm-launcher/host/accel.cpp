#include "kvm-launcher/host/accel.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"
#include "kvm-launcher/host/cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mogu::vm {

std::string kvm_unusable_reason() {
    UniqueFd fd(::open("/dev/kvm", O_RDWR | O_CLOEXEC));
    if (fd) return "";
    return fmt::format("/dev/kvm: {}", strerror(errno));
}

AccelDecision choose_accel(AccelChoice choice, const Kernel& kernel, const std::function<bool()>& probe) {
    AccelDecision d;
    if (choice == AccelChoice::tcg) return d;
    std::string why_not = kvm_unusable_reason();
    if (choice == AccelChoice::kvm) {
        if (!why_not.empty()) throw Error("KVM was asked for, but {}", why_not);
        d.accel = Accel::kvm;
        return d;
    }
    if (!why_not.empty()) {
        d.warning = fmt::format("KVM is not usable here ({}); using TCG emulation, which is much slower", why_not);
        return d;
    }
    std::string verdict_path = path_join(cache_dir(), "kvm-probe-" + kernel.version);
    auto read_verdict = [&] {
        auto v = read_file_if_exists(verdict_path);
        return v ? std::string(trim(*v)) : std::string();
    };
    std::string verdict = read_verdict();
    if (verdict != "kvm" && verdict != "tcg") {
        std::string lock_path = verdict_path + ".lock";
        UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
        if (lock) while (flock(lock.get(), LOCK_EX) < 0 && errno == EINTR) {}
        verdict = read_verdict();
        if (verdict != "kvm" && verdict != "tcg") {
            log::info("probing whether KVM can boot kernel {} here (once; the verdict is cached in {})", kernel.version, verdict_path);
            verdict = probe() ? "kvm" : "tcg";
            cache_put(verdict_path, verdict + "\n");
        }
    }
    if (verdict == "kvm") {
        d.accel = Accel::kvm;
    } else {
        d.warning = fmt::format("KVM cannot boot guest kernel {} on this machine (probe verdict in {}); using TCG emulation, which is much slower",
                                kernel.version, verdict_path);
    }
    return d;
}

}  // namespace mogu::vm
