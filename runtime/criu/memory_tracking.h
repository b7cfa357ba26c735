// Whether criu can track which pages a task dirtied since the last (pre-)dump: the kernel's
// soft-dirty bits (CONFIG_MEM_SOFT_DIRTY). Pre-dumps, dumps on a parent and pre-copy need them.
#pragma once

#include <string>

namespace mogu::runtime::criu {

// Asks criu at `criu_path` (a FEATURE_CHECK request for mem_track); false when it says no.
bool tracks_dirty_memory(const std::string& criu_path);

}  // namespace mogu::runtime::criu
