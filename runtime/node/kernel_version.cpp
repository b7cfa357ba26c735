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
// extend with care (see docs/operations.md, which lists each entry's sources). `introduced` is
// the first mainline release with the bug, `fixed` the first mainline release with the fix, and
// `stable_fixes` the first point release of each stable series that got the fix; a series that
// ended without it stays affected.
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
        {"cgroups", {2, 6, 24}, {5, 17, 0}, {{5, 16, 6}, {5, 15, 20}, {5, 10, 97}, {5, 4, 177}, {4, 19, 229}, {4, 14, 266}, {4, 9, 301}},
         "CVE-2022-0492: cgroup v1's release_agent can be set without CAP_SYS_ADMIN in the host's namespace, so a container "
         "that mounts cgroup v1 runs a program of its choosing as root on the host (fix 24f600856418)",
         true},
        {"overlayfs", {5, 11, 0}, {6, 2, 0}, {{6, 1, 9}, {5, 15, 91}},
         "CVE-2023-0386: overlayfs copies a setuid file up from a nosuid mount without checking that its owner maps into "
         "the mounting user namespace, root from an unprivileged user namespace (fix 4f11ada10d0a)",
         true},
        {"seccomp", {4, 3, 0}, {5, 18, 0},
         {{5, 17, 2}, {5, 16, 19}, {5, 15, 33}, {5, 10, 110}, {5, 4, 189}, {4, 19, 238}, {4, 14, 276}, {4, 9, 311}},
         "CVE-2022-30594: PTRACE_SEIZE sets PTRACE_O_SUSPEND_SECCOMP without its permission checks, so a process in a "
         "container turns off the seccomp filter of a process it traces (fix ee1fee900537)",
         true},
        {"netfilter", {2, 6, 19}, {5, 12, 0}, {{5, 11, 15}, {5, 10, 31}, {5, 4, 113}, {4, 19, 188}, {4, 14, 231}, {4, 9, 267}, {4, 4, 267}},
         "CVE-2021-22555: a heap out-of-bounds write in x_tables' 32-bit compat setsockopt, reachable from a user and "
         "network namespace, a container escape (fix b29c457a6511)",
         true},
        {"netfilter", {3, 15, 0}, {6, 8, 0}, {{6, 7, 3}, {6, 6, 15}, {6, 1, 76}, {5, 15, 149}, {5, 10, 210}, {5, 4, 269}, {4, 19, 307}},
         "CVE-2024-1086: nf_tables accepts a positive NF_DROP verdict, a double free reachable from an unprivileged user "
         "and network namespace, root exploits in the wild (fix f342de4e2f33)",
         true},
        {"KVM", {2, 6, 12}, {5, 13, 0}, {{5, 12, 14}, {5, 10, 47}, {5, 4, 129}, {4, 19, 199}, {4, 14, 243}, {4, 9, 298}},
         "CVE-2021-22543: KVM maps VM_IO|VM_PFNMAP pages without a reference, so whoever can open /dev/kvm (mogu-vm's "
         "QEMU) reads and writes host pages after they are freed (fix f8be156be163; in every kernel before it)",
         false},
        {"dm-thin", {3, 15, 0}, {6, 13, 0}, {{6, 12, 10}, {6, 6, 72}, {6, 1, 125}, {5, 15, 177}, {5, 10, 234}, {5, 4, 290}},
         "CVE-2025-21664: dm-thin's worker races with a thin device being removed and crashes the host (GP fault in "
         "process_deferred_bios); mogu-snapshotter removes thin devices while others do I/O",
         false},
        {"dm-cache", {3, 13, 0}, {6, 12, 0}, {{6, 11, 8}, {6, 6, 61}, {6, 1, 117}, {5, 15, 172}, {5, 10, 230}, {5, 4, 286}, {4, 19, 324}},
         "CVE-2024-50278, CVE-2024-50279: dm-cache reads past its dirty bitset when the fast device changes size (shrunk, "
         "or grown before the first resume)",
         false},
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

namespace {

// "X.Y.Z" at the start of `word` with all three numbers written out.
std::optional<KernelVersion> full_version(const std::string& word) {
    auto v = KernelVersion::parse(word);
    if (!v) return std::nullopt;
    size_t dots = 0, i = 0;
    while (i < word.size() && (std::isdigit(static_cast<unsigned char>(word[i])) || word[i] == '.')) dots += word[i++] == '.';
    if (dots < 2) return std::nullopt;
    return v;
}

std::string last_word(const std::string& text) {
    size_t end = text.find_last_not_of(" \t\n");
    if (end == std::string::npos) return "";
    size_t start = text.find_last_of(" \t\n", end);
    start = start == std::string::npos ? 0 : start + 1;
    return text.substr(start, end + 1 - start);
}

}  // namespace

std::optional<UpstreamVersion> distribution_upstream(const std::string& release, const std::string& proc_version,
                                                     const std::string& version_signature) {
    auto own = KernelVersion::parse(release);
    if (!own) return std::nullopt;
    auto same = [&](std::optional<KernelVersion> v) { return v && v->same_series(*own); };
    if (auto v = full_version(last_word(version_signature)); same(v)) return UpstreamVersion{*v, "/proc/version_signature"};
    // Debian: "... (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-26)".
    size_t hash = proc_version.rfind('#');
    if (hash == std::string::npos) return std::nullopt;
    size_t at = proc_version.find(" Debian ", hash);
    if (at == std::string::npos) return std::nullopt;
    if (auto v = full_version(proc_version.substr(at + 8)); same(v)) return UpstreamVersion{*v, "/proc/version"};
    return std::nullopt;
}

bool point_release_unknown(const std::string& release) {
    auto v = full_version(release);
    if (!v || v->patch != 0) return false;
    size_t i = 0;
    while (i < release.size() && (std::isdigit(static_cast<unsigned char>(release[i])) || release[i] == '.')) ++i;
    return i < release.size();
}

std::optional<KernelVersion> first_version_in(const std::string& text) {
    for (size_t i = 0; i < text.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) continue;
        if (i > 0 && (std::isdigit(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '.')) continue;
        if (auto v = KernelVersion::parse(text.substr(i))) return v;
    }
    return std::nullopt;
}

}  // namespace mogu::node
