#include "flattener/path_tree.h"

#include "flattener/entry_path.h"

namespace mogu::flatten {

PathTree::PathTree() {
    auto [it, _] = index_.emplace(std::string(), kRoot);
    nodes_.emplace_back();
    nodes_[kRoot].path = &it->first;
}

uint32_t PathTree::find(std::string_view path) const {
    auto it = index_.find(path);
    return it == index_.end() ? kNone : it->second;
}

uint32_t PathTree::intern(std::string_view path) {
    auto it = index_.find(path);
    if (it != index_.end()) return it->second;
    uint32_t parent = intern(parent_of(path));
    auto id = static_cast<uint32_t>(nodes_.size());
    auto [ins, _] = index_.emplace(std::string(path), id);
    nodes_.emplace_back();
    nodes_[id].parent = parent;
    nodes_[id].path = &ins->first;
    return id;
}

}  // namespace mogu::flatten
