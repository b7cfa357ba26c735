// RLIMIT_* names as the OCI spec spells them.
#pragma once

#include <string>

namespace mogu::oci {

// -1 for an unknown name.
int rlimit_from_name(const char* name);
inline int rlimit_from_name(const std::string& name) { return rlimit_from_name(name.c_str()); }

}  // namespace mogu::oci
