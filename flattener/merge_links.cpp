#include "flattener/merge_links.h"

#include "common/error.h"

#include <algorithm>
#include <map>

namespace mogu::flatten {

int32_t Merge::new_object(int layer, uint32_t index) {
    objects_.push_back(Object{layer, index, {}, false, {}});
    return static_cast<int32_t>(objects_.size() - 1);
}

int32_t Merge::find_set(int32_t ls) {
    while (sets_[static_cast<size_t>(ls)].forward >= 0) ls = sets_[static_cast<size_t>(ls)].forward;
    return ls;
}

void Merge::attach(int32_t ls, int32_t object) {
    LinkSet& s = sets_[static_cast<size_t>(find_set(ls))];
    auto& names = objects_[static_cast<size_t>(object)].names;
    names.insert(names.end(), s.names.begin(), s.names.end());
    s.names.clear();
    s.object = object;
}

void Merge::join(int32_t child, int32_t parent) {
    int32_t c = find_set(child), p = find_set(parent);
    if (c == p) return;
    LinkSet& ps = sets_[static_cast<size_t>(p)];
    if (ps.object >= 0) {
        attach(c, ps.object);
        return;
    }
    LinkSet& cs = sets_[static_cast<size_t>(c)];
    ps.names.insert(ps.names.end(), cs.names.begin(), cs.names.end());
    cs.names.clear();
    cs.forward = p;
}

void Merge::add_name(int32_t ls, const std::string& path, archive_entry* e) {
    LinkName name{path, archive_entry_clone(e)};
    LinkSet& s = sets_[static_cast<size_t>(find_set(ls))];
    if (s.object >= 0) objects_[static_cast<size_t>(s.object)].names.push_back(name);
    else s.names.push_back(name);
}

void Merge::resolve_leftover_requests() {
    for (Request& r : requests_) {
        if (!r.alive) continue;
        const std::string& target = *tree_[r.target].path;
        if (!base_ || !base_->visible_non_dir(target))
            throw Error("{}: entry {}: hardlink to {}, which the layers below it do not have", r.layer_name, r.entry,
                        target);
        // The target is in the kept base and nothing above touched it: link to it there.
        int32_t obj = new_object(-1, 0);
        objects_[static_cast<size_t>(obj)].primary = target;
        objects_[static_cast<size_t>(obj)].emitted = true;
        attach(r.set, obj);
        r.alive = false;
    }
}

void Merge::write_relinked_files(const std::vector<const LayerInput*>& layers) {
    // Files whose every kept name is a hardlink met after the file in the same layer: read that
    // layer again up to them. Rare (a hardlinked file replaced above), so the common case reads once.
    std::map<int, std::vector<size_t>> wanted;
    for (size_t o = 0; o < objects_.size(); o++)
        if (!objects_[o].emitted && !objects_[o].names.empty()) wanted[objects_[o].layer].push_back(o);
    for (auto& [layer, objs] : wanted) {
        std::sort(objs.begin(), objs.end(),
                  [&](size_t a, size_t b) { return objects_[a].index < objects_[b].index; });
        LayerReader reader(*layers[static_cast<size_t>(layer)], nullptr);
        uint32_t index = 0;
        size_t next = 0;
        while (next < objs.size()) {
            archive_entry* e = reader.next();
            if (!e) throw Error("{}: the layer changed while it was read", layers[static_cast<size_t>(layer)]->name);
            uint32_t i = index++;
            while (next < objs.size() && objects_[objs[next]].index == i) {
                Object& o = objects_[objs[next++]];
                LinkName first = o.names.front();
                o.names.erase(o.names.begin());
                out_->copy(e, first.path, &reader);
                archive_entry_free(first.hdr);
                o.primary = first.path;
                o.emitted = true;
                stats_.relinked++;
            }
        }
    }
}

void Merge::write_hardlinks() {
    for (Object& o : objects_) {
        if (!o.emitted) continue;
        for (LinkName& n : o.names) {
            out_->hardlink(n.hdr, n.path, o.primary);
            stats_.hardlinks++;
        }
    }
}

}  // namespace mogu::flatten
