// What criu says this kernel lets it do with a task's memory: track which pages a task dirtied
// since the last (pre-)dump (the soft-dirty bits, CONFIG_MEM_SOFT_DIRTY: pre-dumps, dumps on a
// parent and pre-copy need them), and restore pages lazily, on first touch (userfaultfd with
// non-cooperative events: --lazy-pages needs it).
#pragma once

#include "runtime/criu/criu_binary.h"

#include <string>

namespace mogu::runtime::criu {

// Asks criu at `criu_path` (a FEATURE_CHECK request for mem_track); false when it says no.
bool tracks_dirty_memory(const std::string& criu_path);

// Asks criu at `criu_path` (a FEATURE_CHECK request for lazy_pages); false when it says no.
bool serves_lazy_pages(const std::string& criu_path);
// For `verb --lazy-pages`: throws, naming what the kernel lacks, unless serves_lazy_pages().
void require_lazy_pages(const Binary& criu, const char* verb);

}  // namespace mogu::runtime::criu
