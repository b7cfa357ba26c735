// Kernel versions as uname(2) gives them ("6.1.0-57-amd64", "6.18.44-fc-v1272"), compared by
// their numbers only, and the list of versions known to be bad for what mogu uses.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <vector>

namespace mogu::node {

struct KernelVersion {
    int major = 0, minor = 0, patch = 0;

    // The leading "X.Y[.Z]"; nullopt when the text does not start with it.
    static std::optional<KernelVersion> parse(const std::string& release);
    std::string str() const;
    auto operator<=>(const KernelVersion&) const = default;
    bool same_series(const KernelVersion& o) const { return major == o.major && minor == o.minor; }
};

// A bug in a range of kernels: present from `introduced` up to (not including) `fixed` in
// mainline, and fixed in the stable series listed in `stable_fixes` from that point release on.
struct KnownBadRange {
    std::string feature;     // what it breaks: "containers", "seccomp notify", "cgroup v2"
    KernelVersion introduced;
    KernelVersion fixed;
    std::vector<KernelVersion> stable_fixes;
    std::string reason;      // the bug, by its name or CVE, and what it does
    bool severe = false;     // FAIL rather than WARN
};

// Whether `v` lies in the range and has none of its stable fixes.
bool affected(const KernelVersion& v, const KnownBadRange& bad);

// Features mogu uses and the first kernel that has them (a missing one is a warning).
struct MinimumVersion {
    std::string feature;
    KernelVersion since;
    std::string why;
};

const std::vector<KnownBadRange>& known_bad_kernels();
const std::vector<MinimumVersion>& minimum_versions();

}  // namespace mogu::node

namespace mogu::node {

// The first "X.Y[.Z]" in a tool's --version text ("QEMU emulator version 7.2.22 (Debian ...)").
std::optional<KernelVersion> first_version_in(const std::string& text);

}  // namespace mogu::node
