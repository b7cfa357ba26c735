// The container's root: made a private mount point, entered with pivot_root (or MS_MOVE+chroot
// with --no-pivot), then masked and read-only paths, then a read-only root if asked.
#pragma once

#include "common/fd.h"

#include <string>
#include <vector>

namespace mogu::runtime {

// Stops mount events propagating back to the host ("/" becomes rslave, or the spec's
// rootfsPropagation) and binds rootfs onto itself so it is a mount point. Returns an O_PATH fd
// of the bound rootfs for resolving paths inside it.
UniqueFd prepare_rootfs(const std::string& rootfs, const std::string& rootfs_propagation);

// Makes rootfs the new "/" and detaches the old root.
void pivot_into(const std::string& rootfs);
// For --no-pivot (ramdisk roots, where pivot_root is not allowed): move the mount over "/" and chroot.
void move_into(const std::string& rootfs);

// After entering the root. Paths that do not exist are skipped.
void mask_paths(const std::vector<std::string>& paths);
void make_paths_readonly(const std::vector<std::string>& paths);
void make_root_readonly();
void set_root_propagation(const std::string& propagation);

}  // namespace mogu::runtime
