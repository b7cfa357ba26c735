#include "runtime/node/version_check.h"

#include "runtime/node/kernel_version.h"

#include <fmt/core.h>

namespace mogu::node {

void evaluate_kernel_version(const std::string& release, Report& r) {
    auto v = KernelVersion::parse(release);
    if (!v) {
        r.warn("kernel", "version", fmt::format("\"{}\" is not a version this check can read", release),
               "compare the kernel with docs/operations.md's list by hand");
        return;
    }
    size_t bad = 0;
    for (const auto& b : known_bad_kernels()) {
        if (!affected(*v, b)) continue;
        ++bad;
        std::string fixes;
        for (const auto& f : b.stable_fixes) fixes += ", " + f.str();
        r.add({"kernel", fmt::format("version {} ({})", v->str(), b.feature), b.severe ? Level::fail : Level::warn,
               fmt::format("known bad from {}: {}", b.introduced.str(), b.reason),
               fmt::format("upgrade to {} or later (fixed in {}{})", b.fixed.str(), b.fixed.str(), fixes)});
    }
    if (!bad) r.ok("kernel", "version " + v->str(), fmt::format("in none of the {} known bad ranges", known_bad_kernels().size()));
    for (const auto& m : minimum_versions()) {
        if (*v >= m.since) r.ok("kernel", fmt::format("{} (since {})", m.feature, m.since.str()), m.why);
        else
            r.warn("kernel", fmt::format("{} (since {})", m.feature, m.since.str()), fmt::format("kernel {} is older: {}", v->str(), m.why),
                   fmt::format("upgrade to {} or later", m.since.str()));
    }
}

}  // namespace mogu::node
