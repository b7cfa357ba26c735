// `mogu check`'s lines about the kernel's version: known bad ranges (with their reason) and the
// first versions of features mogu uses.
#pragma once

#include "runtime/node/finding.h"
#include "runtime/node/kernel_version.h"

#include <optional>
#include <string>

namespace mogu::node {

// `upstream` (distribution_upstream()) replaces the release's own numbers when it is of the same
// series. Without it, a release that names no point release (point_release_unknown()) is judged
// as X.Y.0, and what that finds is a WARN saying so, never a FAIL.
void evaluate_kernel_version(const std::string& release, Report& report,
                             const std::optional<UpstreamVersion>& upstream = std::nullopt);

}  // namespace mogu::node
