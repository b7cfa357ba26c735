// The top-down merge: layers are read from the highest to the lowest, once each, and an entry is
// written when no upper layer has the same path or hid it. Nothing is extracted to disk; memory
// holds one node per path met (see docs/flatten.md for every rule).
#pragma once

#include "flattener/blob_stream.h"
#include "flattener/layer_reader.h"
#include "flattener/path_tree.h"
#include "flattener/tar_out.h"

#include <archive_entry.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace mogu::flatten {

struct MergeStats {
    uint64_t entries_in = 0;
    uint64_t kept = 0;
    uint64_t dropped_by_whiteout = 0;   // hidden by a whiteout or an opaque directory above
    uint64_t dropped_by_overwrite = 0;  // the same path, or a non-directory parent, above
    uint64_t markers_in = 0;            // whiteout and opaque markers read
    uint64_t markers_kept = 0;          // markers written (only with a kept base)
    uint64_t whiteouts_of_nothing = 0;  // whiteouts for a path no lower layer has (dropped)
    uint64_t hardlinks = 0;             // hardlink entries written
    uint64_t relinked = 0;              // files written under a link's name because their own name went away
};

class Merge {
public:
    // `out` null: scan only (the kept base under --from): remember what is visible, write nothing.
    Merge(TarOut* out, MergeStats& stats, ReadCounters* counters);
    ~Merge();

    // With --from: the scanned base, so markers that still hide something there are kept and
    // hardlinks may point into it.
    void set_base(const Merge* base) { base_ = base; }
    // Called between entries; throws to stop (SIGINT).
    void set_interrupt_check(std::function<void()> fn) { interrupt_ = std::move(fn); }
    // Called when a layer starts (progress display).
    void set_layer_hook(std::function<void(size_t done, size_t total)> fn) { layer_hook_ = std::move(fn); }

    // layers[0] is the lowest. Reads them top-down, writes the merged entries, then the files that
    // live on under a link's name, the hardlinks and last the directories; checks every link
    // target and counts the whiteouts that hid nothing.
    void run(const std::vector<const LayerInput*>& layers);

    // Scan results (base).
    bool visible_at_or_below(std::string_view path) const;
    bool visible_non_dir(std::string_view path) const;

private:
    struct Object;
    struct LinkSet;
    struct Request;
    struct Whiteout;
    struct DirectoryEntry;

    void read_layer(int layer, const LayerInput& in);
    void on_marker(int layer, const LayerInput& in, archive_entry* e, const std::string& path,
                   std::vector<std::pair<uint32_t, bool>>& hide, std::vector<uint32_t>& opaque);
    void apply_hiders(int layer, const std::vector<std::pair<uint32_t, bool>>& hide,
                      const std::vector<uint32_t>& opaque);
    struct Visibility {
        bool hidden = false;
        bool by_whiteout = false;
    };
    Visibility visibility(uint32_t id, int layer);
    bool hidden_for_output(uint32_t id) const;

    int32_t new_object(int layer, uint32_t index);
    int32_t find_set(int32_t ls);
    void attach(int32_t ls, int32_t object);
    void join(int32_t child, int32_t parent);
    void add_name(int32_t ls, const std::string& path, archive_entry* e);

    void keep_directory(archive_entry* e, uint32_t id);
    void write_directories();

    void resolve_leftover_requests();
    void count_whiteouts_of_nothing();
    void write_relinked_files(const std::vector<const LayerInput*>& layers);
    void write_hardlinks();

    TarOut* out_;
    MergeStats& stats_;
    ReadCounters* counters_;
    const Merge* base_ = nullptr;
    std::function<void()> interrupt_;
    std::function<void(size_t, size_t)> layer_hook_;
    PathTree tree_;
    std::vector<Object> objects_;
    std::vector<LinkSet> sets_;
    std::vector<Request> requests_;
    std::unordered_map<uint32_t, std::vector<size_t>> requests_at_;
    std::vector<Whiteout> whiteouts_;
    std::vector<DirectoryEntry> directories_;  // kept directory entries, written at the end
};

}  // namespace mogu::flatten
