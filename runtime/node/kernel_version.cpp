#include "runtime/node/kernel_version.h"

#include <fmt/core.h>

#include <cctype>

namespace mogu::node {
namespace {

// Reads digits at `i`; nullopt without any.
std::optional<int> number_at(const std::string& s, size_t& i) {
    size_t start = i;
    long v = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - start < 6) v = v * 10 + (s[i++] - '0');
    if (i == start) return std::nullopt;
    return static_cast<int>(v);
}

}  // namespace

std::optional<KernelVersion> KernelVersion::parse(const std::string& release) {
    KernelVersion v;
    size_t i = 0;
    auto major = number_at(release, i);
    if (!major || i >= release.size() || release[i] != '.') return std::nullopt;
    ++i;
    auto minor = number_at(release, i);
    if (!minor) return std::nullopt;
    v.major = *major;
    v.minor = *minor;
    if (i < release.size() && release[i] == '.') {
        ++i;
        auto patch = number_at(release, i);
        if (!patch) return std::nullopt;
        v.patch = *patch;
    }
    return v;
}

std::string KernelVersion::str() const { return fmt::format("{}.{}.{}", major, minor, patch); }

bool affected(const KernelVersion& v, const KnownBadRange& bad) {
    if (v < bad.introduced || v >= bad.fixed) return false;
    for (const auto& f : bad.stable_fixes)
        if (v.same_series(f) && v >= f) return false;
    return true;
}

// Only bugs whose ranges are published by the kernel's stable maintainers or the CVE record;
// extend with care (see docs/operations.md).
const std::vector<KnownBadRange>& known_bad_kernels() {
    static const std::vector<KnownBadRange> list = {
        {"containers", {2, 6, 22}, {4, 9, 0}, {{4, 8, 3}, {4, 7, 9}, {4, 4, 26}},
         "CVE-2016-5195 (Dirty COW): a race in copy-on-write lets any process write read-only mappings, a container escape",
         true},
        {"containers", {5, 8, 0}, {5, 17, 0}, {{5, 16, 11}, {5, 15, 25}, {5, 10, 102}},
         "CVE-2022-0847 (Dirty Pipe): pipe buffers let any process overwrite read-only files and page cache, a container escape",
         true},
        {"user namespaces", {5, 1, 0}, {5, 16, 2}, {{5, 15, 16}, {5, 10, 93}, {5, 4, 173}},
         "CVE-2022-0185: a heap overflow in legacy_parse_param (fsconfig) reachable from an unprivileged user namespace",
         true},
    };
    return list;
}

const std::vector<MinimumVersion>& minimum_versions() {
    static const std::vector<MinimumVersion> list = {
        {"seccomp user notification", {5, 0, 0}, "SECCOMP_RET_USER_NOTIF (runc's and mogu's seccomp notify hand-off) arrived in 5.0"},
        {"cgroup v2 freezer", {5, 2, 0}, "cgroup.freeze (pause/resume on pure v2) arrived in 5.2"},
        {"pidfd", {5, 3, 0}, "pidfd_open (signals that never hit a reused pid) arrived in 5.3"},
        {"openat2", {5, 6, 0}, "openat2 RESOLVE_IN_ROOT (safe paths in the rootfs) arrived in 5.6"},
        {"clone into cgroup", {5, 7, 0}, "clone3 CLONE_INTO_CGROUP (init born in its cgroup) arrived in 5.7"},
        {"idmapped mounts", {5, 12, 0}, "mount_setattr MOUNT_ATTR_IDMAP arrived in 5.12"},
    };
    return list;
}

}  // namespace mogu::node

namespace mogu::node {

std::optional<KernelVersion> first_version_in(const std::string& text) {
    for (size_t i = 0; i < text.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) continue;
        if (i > 0 && (std::isdigit(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '.')) continue;
        if (auto v = KernelVersion::parse(text.substr(i))) return v;
    }
    return std::nullopt;
}

}  // namespace mogu::node
