#include "runtime/node/version_check.h"

#include <fmt/core.h>

namespace mogu::node {

void evaluate_kernel_version(const std::string& release, Report& r, const std::optional<UpstreamVersion>& upstream) {
    auto parsed = KernelVersion::parse(release);
    if (!parsed) {
        r.warn("kernel", "version", fmt::format("\"{}\" is not a version this check can read", release),
               "compare the kernel with docs/operations.md's list by hand");
        return;
    }
    // The version judged: the upstream release a distribution kernel is built from, when known.
    KernelVersion v = *parsed;
    std::string basis;
    bool unsure = false;
    if (upstream && upstream->version.same_series(*parsed)) {
        v = upstream->version;
        basis = fmt::format(" ({} is built from {}, says {})", release, v.str(), upstream->source);
    } else if (point_release_unknown(release)) {
        unsure = true;
    }
    size_t bad = 0;
    for (const auto& b : known_bad_kernels()) {
        if (!affected(v, b)) continue;
        ++bad;
        std::string fixes;
        for (const auto& f : b.stable_fixes) fixes += ", " + f.str();
        std::string name = fmt::format("version {} ({})", v.str(), b.feature);
        if (unsure) {
            // "6.1.0-57-amd64" may be any 6.1 with any backports: what the .0 says is a warning.
            r.warn("kernel", name,
                   fmt::format("{} names no point release (distributions keep the .0 and backport fixes), so it may have "
                               "this bug, known bad from {}: {}",
                               release, b.introduced.str(), b.reason),
                   fmt::format("check the distribution's advisory for it; upstream it is fixed in {}{}", b.fixed.str(), fixes));
            continue;
        }
        r.add({"kernel", name, b.severe ? Level::fail : Level::warn,
               fmt::format("known bad from {}: {}{}", b.introduced.str(), b.reason, basis),
               fmt::format("upgrade to {} or later (fixed in {}{})", b.fixed.str(), b.fixed.str(), fixes)});
    }
    if (!bad)
        r.ok("kernel", "version " + v.str(), fmt::format("in none of the {} known bad ranges{}", known_bad_kernels().size(), basis));
    for (const auto& m : minimum_versions()) {
        if (v >= m.since) r.ok("kernel", fmt::format("{} (since {})", m.feature, m.since.str()), m.why);
        else
            r.warn("kernel", fmt::format("{} (since {})", m.feature, m.since.str()), fmt::format("kernel {} is older: {}", v.str(), m.why),
                   fmt::format("upgrade to {} or later", m.since.str()));
    }
}

}  // namespace mogu::node
