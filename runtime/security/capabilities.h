// process.capabilities through libcap: names checked in the parent (errors name the JSON path),
// sets applied in the container's init around the switch to the container's user.
#pragma once

#include "common/oci/spec.h"

#include <sys/capability.h>

#include <string>
#include <vector>

namespace mogu::runtime {

struct CapabilitySets {
    std::vector<cap_value_t> bounding, effective, inheritable, permitted, ambient;
};

// `path` is the JSON path of the capabilities object ("process.capabilities").
CapabilitySets parse_capabilities(const oci::Capabilities& caps, const std::string& path);
// Every capability this kernel knows, by name ("CAP_CHOWN", ...).
std::vector<std::string> known_capability_names();

// Drops from the bounding set everything not listed (needs CAP_SETPCAP: call before the user switch).
void drop_bounding_set(const CapabilitySets& caps);
// Sets effective, permitted, inheritable, then raises the ambient ones (after the user switch).
void apply_capability_sets(const CapabilitySets& caps);

}  // namespace mogu::runtime
