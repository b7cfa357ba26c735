// `mogu check`'s lines about the kernel's version: known bad ranges (with their reason) and the
// first versions of features mogu uses.
#pragma once

#include "runtime/node/finding.h"

#include <string>

namespace mogu::node {

void evaluate_kernel_version(const std::string& release, Report& report);

}  // namespace mogu::node
