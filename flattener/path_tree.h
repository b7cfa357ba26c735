// Every path the merge has met, as nodes with a parent link, so that "is this path or one of its
// parents hidden?" is a walk up a few pointers instead of a lookup per prefix.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mogu::flatten {

// Layer numbers count from the bottom (0); -1 means "none".
struct PathNode {
    uint32_t parent = 0;
    const std::string* path = nullptr;

    int32_t decided_layer = -1;   // highest layer whose entry here is kept
    bool decided_dir = false;
    int32_t kept_below = -1;      // highest layer that kept an entry strictly below this path
    int32_t hide_layer = -1;      // lowest layer whose whiteout or non-directory hides this subtree
    bool hidden_by_whiteout = false;
    int32_t opaque_layer = -1;    // lowest layer that made this directory opaque
    int32_t whiteout = -1;        // the merge's whiteout record for this path, if any
    bool has_request = false;     // an upper layer's hardlink waits for a lower entry here

    // The last entry at this path in the layer being read.
    int32_t cur_layer = -1;
    uint32_t cur_index = 0;
    int32_t cur_ref = -1;         // object (file) or link set (hardlink) of that entry
    uint8_t cur_kind = 0;
    bool cur_kept = false;

    // Scan of the kept base (--from): the path is visible there, or something below it is.
    bool base_visible = false;
    bool base_visible_dir = false;
    bool base_below = false;
};

class PathTree {
public:
    static constexpr uint32_t kRoot = 0;
    PathTree();

    // The node for a normalized path, created with its parents when new.
    uint32_t intern(std::string_view path);
    // kNone when the path was never interned.
    static constexpr uint32_t kNone = UINT32_MAX;
    uint32_t find(std::string_view path) const;

    PathNode& operator[](uint32_t id) { return nodes_[id]; }
    const PathNode& operator[](uint32_t id) const { return nodes_[id]; }
    size_t size() const { return nodes_.size(); }

private:
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> index_;
    std::vector<PathNode> nodes_;
};

}  // namespace mogu::flatten
