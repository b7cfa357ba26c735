// When the kept directory entries are written: last, parents first.
//
// Layers are read from the top down, so a directory's own entry often comes from a lower layer
// than entries below it. Layers made by diffing two trees (umoci repack) have an entry for a
// directory only when the directory itself changed, so a file changed in place
// (var/lib/dpkg/triggers/Lock) comes without entries for its parents. An unpacker that meets an
// entry whose parent does not exist yet creates the missing directories, and that changes the
// time of the nearest one that exists; umoci puts back only the direct parent's
// (oci/layer/tar_extract.go, UnpackEntry). Written in the order they are decided, usr/share's
// entry from layer 5 would be followed by usr/share/locale/de/x.mo (layer 5) before
// usr/share/locale (layer 4), and usr/share would carry the time of the unpack. Written after
// every other entry, each directory's entry is the last thing to touch it, and in path order
// every directory's parent is applied before it.
#include "flattener/merge_links.h"

#include <algorithm>

namespace mogu::flatten {

void Merge::keep_directory(archive_entry* e, uint32_t id) {
    const std::string& path = *tree_[id].path;
    if (base_ && base_->visible_non_dir(path)) {
        // Unpacked over the kept base, it must replace the base's file before anything is created
        // below it, so it cannot wait.
        out_->copy(e, path, nullptr);
        return;
    }
    directories_.push_back(DirectoryEntry{id, archive_entry_clone(e)});
}

void Merge::write_directories() {
    // A path sorts before every path below it, so parents come first; the order is the input's
    // alone, so the same image always gives the same tar.
    std::sort(directories_.begin(), directories_.end(), [&](const DirectoryEntry& a, const DirectoryEntry& b) {
        return *tree_[a.node].path < *tree_[b.node].path;
    });
    for (DirectoryEntry& d : directories_) {
        if (interrupt_) interrupt_();
        out_->copy(d.hdr, *tree_[d.node].path, nullptr);
        archive_entry_free(d.hdr);
        d.hdr = nullptr;
    }
    directories_.clear();
}

}  // namespace mogu::flatten
