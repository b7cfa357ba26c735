// Paths inside a container's root, resolved as if that root were "/": a symlink in the rootfs
// that points at "/etc" or "../../.." stays inside the rootfs (openat2 RESOLVE_IN_ROOT). Mounts
// then target "/proc/self/fd/N" of the resolved O_PATH fd, never a host path string.
#pragma once

#include "common/fd.h"

#include <sys/types.h>

#include <string>
#include <string_view>

namespace mogu::runtime {

enum class NodeKind { directory, file };

// O_PATH fd of `path` resolved inside root; throws SysError (ENOENT included) naming the path.
UniqueFd open_in_root(int root_fd, std::string_view path, int extra_flags = 0);
// Like open_in_root but returns an invalid fd on ENOENT.
UniqueFd try_open_in_root(int root_fd, std::string_view path, int extra_flags = 0);
// Creates the missing components of `path` inside root (directories, and a file as the last
// one when kind is file), then returns its O_PATH fd.
UniqueFd make_in_root(int root_fd, std::string_view path, NodeKind kind, mode_t mode = 0755);

// "/proc/self/fd/N": the name mount(2) and friends use for an fd.
std::string fd_path(int fd);

}  // namespace mogu::runtime
