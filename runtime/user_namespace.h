// User namespaces: the parent writes the child's uid_map and gid_map (newuidmap is not needed
// for a root caller).
#pragma once

#include "common/oci/spec.h"

#include <sys/types.h>

#include <vector>

namespace mogu::runtime {

void write_id_mappings(pid_t pid, const std::vector<oci::IdMapping>& uids, const std::vector<oci::IdMapping>& gids);

}  // namespace mogu::runtime
