// Checks of a parsed spec that depend on how a Linux runtime uses it: fields that need a
// namespace, sysctls a container may set, a rootfs that exists. Errors name the JSON path.
#pragma once

#include "common/oci/spec.h"

#include <string>

namespace mogu::runtime {

// `bundle` resolves a relative root.path. Returns the absolute rootfs path.
std::string validate_for_create(const oci::Spec& spec, const std::string& bundle);
void validate_sysctl(const oci::Spec& spec);

}  // namespace mogu::runtime
