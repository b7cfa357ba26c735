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

// The upstream release a distribution kernel is built from, when the distribution says so: the
// last word of Ubuntu's /proc/version_signature ("Ubuntu 5.15.0-91.101-generic 5.15.131"), or
// what follows "Debian" after the build number in /proc/version ("#1 SMP PREEMPT_DYNAMIC Debian
// 6.1.192-3 (2026-11-26)"). Only a full X.Y.Z of the release's own series counts.
struct UpstreamVersion {
    KernelVersion version;
    std::string source;  // "/proc/version_signature" or "/proc/version"
};
std::optional<UpstreamVersion> distribution_upstream(const std::string& release, const std::string& proc_version,
                                                     const std::string& version_signature);

// Whether the release names no point release: "X.Y.0" and a suffix ("6.1.0-57-amd64",
// "5.15.0-91-generic", "4.18.0-513.el8"). Distributions keep the .0 and backport fixes, so the
// number says nothing about which fixes such a kernel has.
bool point_release_unknown(const std::string& release);

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
