// The container's rootfs changes: the files under the rootfs modified since the container was
// created (GNU tar --newer-mtime, directories always listed so new files keep their place).
// Deleted files are not carried over. Written to / read from a tar file.
#pragma once

#include <string>

namespace mogu::runtime::migrate {

// Writes the tar of rootfs's files newer than `since` (RFC 3339) to tar_path.
void pack_rootfs_changes(const std::string& rootfs, const std::string& since, const std::string& tar_path);
// Extracts tar_path over rootfs, keeping owners and modes.
void unpack_rootfs_changes(const std::string& tar_path, const std::string& rootfs);

}  // namespace mogu::runtime::migrate
