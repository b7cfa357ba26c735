#include "flattener/merge.h"

#include "common/error.h"
#include "flattener/entry_path.h"
#include "flattener/merge_links.h"

#include <algorithm>

namespace mogu::flatten {

Merge::Merge(TarOut* out, MergeStats& stats, ReadCounters* counters)
    : out_(out), stats_(stats), counters_(counters) {}

Merge::~Merge() {
    for (auto& o : objects_) free_names(o.names);
    for (auto& s : sets_) free_names(s.names);
    for (auto& d : directories_) archive_entry_free(d.hdr);
}

void Merge::run(const std::vector<const LayerInput*>& layers) {
    for (int l = static_cast<int>(layers.size()) - 1; l >= 0; l--) {
        if (layer_hook_) layer_hook_(layers.size() - 1 - static_cast<size_t>(l), layers.size());
        read_layer(l, *layers[static_cast<size_t>(l)]);
    }
    if (!out_) return;
    resolve_leftover_requests();
    count_whiteouts_of_nothing();
    write_relinked_files(layers);
    write_hardlinks();
    write_directories();
}

Merge::Visibility Merge::visibility(uint32_t id, int layer) {
    Visibility v;
    bool self = true;
    for (uint32_t a = id;; self = false) {
        PathNode& n = tree_[a];
        if (n.hide_layer >= 0) {
            v.hidden = true;
            v.by_whiteout |= n.hidden_by_whiteout;
        }
        if (!self && n.opaque_layer >= 0) v.hidden = v.by_whiteout = true;
        if (n.whiteout >= 0) {
            Whiteout& w = whiteouts_[static_cast<size_t>(n.whiteout)];
            if (w.layer > layer) w.matched = true;
        }
        if (a == PathTree::kRoot) break;
        a = n.parent;
    }
    return v;
}

bool Merge::hidden_for_output(uint32_t id) const {
    bool self = true;
    for (uint32_t a = id;; self = false) {
        const PathNode& n = tree_[a];
        if (n.hide_layer >= 0 || (!self && n.opaque_layer >= 0)) return true;
        if (a == PathTree::kRoot) return false;
        a = n.parent;
    }
}

bool Merge::visible_at_or_below(std::string_view path) const {
    uint32_t id = tree_.find(path);
    return id != PathTree::kNone && (tree_[id].base_visible || tree_[id].base_below);
}

bool Merge::visible_non_dir(std::string_view path) const {
    uint32_t id = tree_.find(path);
    return id != PathTree::kNone && tree_[id].base_visible && !tree_[id].base_visible_dir;
}

void Merge::read_layer(int layer, const LayerInput& in) {
    LayerReader reader(in, counters_);
    std::vector<std::pair<uint32_t, bool>> hide;  // node, by a whiteout
    std::vector<uint32_t> opaque;
    uint32_t index = 0;
    while (archive_entry* e = reader.next()) {
        uint32_t i = index++;
        if (interrupt_) interrupt_();
        stats_.entries_in++;
        const char* raw = archive_entry_pathname(e);
        if (!raw) throw Error("{}: entry #{} has no name", in.name, i + 1);
        auto normalized = normalize_entry_path(raw);
        if (!normalized) throw Error("{}: entry {}: the path climbs out of the image with \"..\"", in.name, raw);
        const std::string& path = *normalized;
        if (base_of(path).substr(0, kWhiteoutPrefix.size()) == kWhiteoutPrefix) {
            on_marker(layer, in, e, path, hide, opaque);
            continue;
        }
        uint32_t id = tree_.intern(path);
        Visibility v = visibility(id, layer);
        const char* hardlink = archive_entry_hardlink(e);
        bool is_link = hardlink != nullptr;
        bool is_dir = !is_link && archive_entry_filetype(e) == AE_IFDIR;
        if (!is_link && !is_dir && archive_entry_filetype(e) == 0)
            throw Error("{}: entry {}: unknown entry type", in.name, raw);
        bool keep = !v.hidden && !(tree_[id].decided_layer > layer);
        if (keep && !is_dir && out_ && tree_[id].kept_below > layer)
            throw Error("{}: entry {}: a non-directory here would cover what upper layers put below it "
                        "(paths through symlinks or files are not supported)",
                        in.name, raw);
        // A non-directory replaces whatever lower layers have at this path, subtree included.
        if (!is_dir) hide.emplace_back(id, false);
        if (keep) {
            stats_.kept++;
            PathNode& n = tree_[id];
            n.decided_layer = layer;
            n.decided_dir = is_dir;
            if (!out_) {
                n.base_visible = true;
                n.base_visible_dir = is_dir;
            }
            for (uint32_t a = n.parent; a != id;) {
                PathNode& p = tree_[a];
                if (p.kept_below >= 0 && (out_ || p.base_below)) break;
                p.kept_below = std::max(p.kept_below, layer);
                if (!out_) p.base_below = true;
                if (a == PathTree::kRoot) break;
                a = p.parent;
            }
        } else if (v.hidden && v.by_whiteout) {
            stats_.dropped_by_whiteout++;
        } else {
            stats_.dropped_by_overwrite++;
        }
        if (!out_) continue;  // a scan needs visibility only

        if (is_dir) {
            if (tree_[id].has_request) {
                for (size_t r : requests_at_[id])
                    if (requests_[r].alive && requests_[r].level > layer)
                        throw Error("{}: entry {}: hardlink to {}, which is a directory", requests_[r].layer_name,
                                    requests_[r].entry, path);
            }
            if (keep) keep_directory(e, id);
            PathNode& n = tree_[id];
            n.cur_layer = layer;
            n.cur_index = i;
            n.cur_ref = -1;
            n.cur_kind = kDir;
            n.cur_kept = keep;
            continue;
        }

        // Upper layers' hardlinks that name this path get this entry.
        int32_t set_or_object = -1;
        int32_t own_set = -1;
        if (is_link) {
            sets_.emplace_back();
            own_set = static_cast<int32_t>(sets_.size() - 1);
            if (keep) add_name(own_set, path, e);
        }
        if (tree_[id].has_request) {
            bool left = false;
            for (size_t r : requests_at_[id]) {
                Request& req = requests_[r];
                if (!req.alive) continue;
                if (req.level <= layer) {
                    left = true;
                    continue;
                }
                req.alive = false;
                if (is_link) {
                    join(req.set, own_set);
                } else {
                    if (set_or_object < 0) set_or_object = new_object(layer, i);
                    attach(req.set, set_or_object);
                }
            }
            tree_[id].has_request = left;
        }

        if (is_link) {
            auto target = normalize_entry_path(hardlink);
            if (!target) throw Error("{}: entry {}: hardlink target {} climbs out of the image", in.name, raw, hardlink);
            if (*target == path) throw Error("{}: entry {}: hardlink to itself", in.name, raw);
            uint32_t tid = tree_.intern(*target);
            PathNode& tn = tree_[tid];
            if (tn.cur_layer == layer) {
                if (tn.cur_kind == kDir)
                    throw Error("{}: entry {}: hardlink to {}, which is a directory", in.name, raw, *target);
                if (tn.cur_kind == kLink) {
                    join(own_set, tn.cur_ref);
                } else {
                    if (tn.cur_ref < 0) {
                        int32_t obj = new_object(layer, tn.cur_index);
                        objects_[static_cast<size_t>(obj)].emitted = tn.cur_kept;
                        if (tn.cur_kept) objects_[static_cast<size_t>(obj)].primary = *tn.path;
                        tree_[tid].cur_ref = obj;
                    }
                    attach(own_set, tree_[tid].cur_ref);
                }
            } else {
                requests_.push_back(Request{tid, layer, own_set, in.name, raw, true});
                requests_at_[tid].push_back(requests_.size() - 1);
                tree_[tid].has_request = true;
            }
            PathNode& n = tree_[id];
            n.cur_layer = layer;
            n.cur_index = i;
            n.cur_ref = own_set;
            n.cur_kind = kLink;
            n.cur_kept = keep;
            continue;
        }

        if (keep) {
            out_->copy(e, path, &reader);
            if (set_or_object >= 0) {
                objects_[static_cast<size_t>(set_or_object)].primary = path;
                objects_[static_cast<size_t>(set_or_object)].emitted = true;
            }
        } else if (set_or_object >= 0 && !objects_[static_cast<size_t>(set_or_object)].names.empty()) {
            // Its own name went away above, but upper hardlinks still name it: it lives on under the first.
            Object& o = objects_[static_cast<size_t>(set_or_object)];
            LinkName first = o.names.front();
            o.names.erase(o.names.begin());
            out_->copy(e, first.path, &reader);
            archive_entry_free(first.hdr);
            o.primary = first.path;
            o.emitted = true;
            stats_.relinked++;
        }
        PathNode& n = tree_[id];
        n.cur_layer = layer;
        n.cur_index = i;
        n.cur_ref = set_or_object;
        n.cur_kind = kOther;
        n.cur_kept = keep;
    }
    reader.finish();
    apply_hiders(layer, hide, opaque);
}

void Merge::on_marker(int layer, const LayerInput& in, archive_entry* e, const std::string& path,
                      std::vector<std::pair<uint32_t, bool>>& hide, std::vector<uint32_t>& opaque) {
    stats_.markers_in++;
    const char* raw = archive_entry_pathname(e);
    std::string_view name = base_of(path);
    std::string dir(parent_of(path));
    if (name == kOpaqueMarker) {
        uint32_t d = tree_.intern(dir);
        bool redundant = hidden_for_output(d) || tree_[d].opaque_layer >= 0;
        opaque.push_back(d);
        if (out_ && base_ && !redundant && base_->visible_at_or_below(dir)) {
            uint32_t bid = base_->tree_.find(dir);
            if (bid != PathTree::kNone && base_->tree_[bid].base_below) {
                out_->copy(e, path, nullptr);
                stats_.markers_kept++;
            }
        }
        return;
    }
    if (name.substr(0, kWhiteoutMetaPrefix.size()) == kWhiteoutMetaPrefix) return;  // AUFS bookkeeping
    std::string_view target = name.substr(kWhiteoutPrefix.size());
    if (target.empty() || target == "." || target == "..")
        throw Error("{}: entry {}: malformed whiteout name", in.name, raw);
    std::string xpath = child_path(dir, target);
    uint32_t x = tree_.intern(xpath);
    bool redundant = hidden_for_output(x);
    hide.emplace_back(x, true);
    if (redundant || !out_) return;
    whiteouts_.push_back(Whiteout{layer, false});
    tree_[x].whiteout = static_cast<int32_t>(whiteouts_.size() - 1);
    if (base_ && base_->visible_at_or_below(xpath)) {
        // It still hides something in the kept base, so the squashed layer keeps it. Content that
        // upper squashed layers put at this path must survive it in a streaming extractor.
        whiteouts_.back().matched = true;
        const PathNode& nx = tree_[x];
        bool upper_dir = (nx.decided_layer >= layer && nx.decided_dir) || nx.kept_below >= layer;
        bool upper_other = nx.decided_layer >= layer && !nx.decided_dir;
        if (upper_dir) {
            archive_entry* m = archive_entry_clone(e);
            try {
                out_->copy(m, child_path(xpath, kOpaqueMarker), nullptr);
            } catch (...) {
                archive_entry_free(m);
                throw;
            }
            archive_entry_free(m);
            stats_.markers_kept++;
        } else if (!upper_other) {
            out_->copy(e, path, nullptr);
            stats_.markers_kept++;
        }
    }
}

void Merge::apply_hiders(int layer, const std::vector<std::pair<uint32_t, bool>>& hide,
                         const std::vector<uint32_t>& opaque) {
    for (auto [id, by_whiteout] : hide) {
        PathNode& n = tree_[id];
        if (n.hide_layer < 0) n.hidden_by_whiteout = by_whiteout;
        n.hide_layer = layer;
    }
    for (uint32_t id : opaque) tree_[id].opaque_layer = layer;
    if (hide.empty() && opaque.empty()) return;
    // Hardlinks of upper layers waiting for a target that this layer just removed have none.
    for (const Request& r : requests_) {
        if (!r.alive || r.level <= layer) continue;
        bool self = true;
        for (uint32_t a = r.target;; self = false) {
            const PathNode& n = tree_[a];
            if (n.hide_layer == layer || (!self && n.opaque_layer == layer))
                throw Error("{}: entry {}: hardlink to {}, which the layers below it do not have", r.layer_name,
                            r.entry, *tree_[r.target].path);
            if (a == PathTree::kRoot) break;
            a = n.parent;
        }
    }
}

void Merge::count_whiteouts_of_nothing() {
    // Valid in images built by real tools (a layer rebased onto another base): containerd, docker
    // and umoci unpack them as no-ops, so the merge drops them too.
    for (const Whiteout& w : whiteouts_)
        if (!w.matched) stats_.whiteouts_of_nothing++;
}

}  // namespace mogu::flatten
