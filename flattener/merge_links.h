// The merge's records: hardlink bookkeeping shared by merge.cpp (the walk over the layers) and
// merge_links.cpp (link sets, files that live on under a link's name, the links at the end),
// the whiteouts waiting for a lower entry to hide, and the kept directory entries that
// merge_directories.cpp writes last.
#pragma once

#include "flattener/merge.h"

#include <archive_entry.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mogu::flatten {

// What the last entry at a path was, in the layer being read (PathNode::cur_kind).
enum EntryKind : uint8_t { kNoEntry = 0, kDir = 1, kLink = 2, kOther = 3 };

// A kept hardlink name and the header it came with (owned).
struct LinkName {
    std::string path;
    archive_entry* hdr;
};

inline void free_names(std::vector<LinkName>& names) {
    for (auto& n : names) archive_entry_free(n.hdr);
    names.clear();
}

// A file (or symlink, device, FIFO) that hardlinks point at: where its data was written, and the
// kept names that must become links to it.
struct Merge::Object {
    int layer;
    uint32_t index;
    std::string primary;
    bool emitted = false;
    std::vector<LinkName> names;
};

// Hardlink names waiting for the same target (a small union-find: `forward` leads to the set
// they were merged into).
struct Merge::LinkSet {
    int32_t forward = -1;
    int32_t object = -1;
    std::vector<LinkName> names;
};

// A hardlink whose target is not in its own layer: it names whatever the layers below have there.
struct Merge::Request {
    uint32_t target;
    int level;
    int32_t set;
    std::string layer_name;
    std::string entry;
    bool alive = true;
};

// A kept directory's entry (owned), waiting to be written after everything below it.
struct Merge::DirectoryEntry {
    uint32_t node;
    archive_entry* hdr;
};

// A whiteout of a squashed layer; `matched` once a lower layer's entry at or below its path is met.
struct Merge::Whiteout {
    int layer;
    bool matched = false;
};


}  // namespace mogu::flatten
