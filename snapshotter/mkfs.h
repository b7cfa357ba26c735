// Makes the base device's filesystem. Never discards: ext4 with -E nodiscard, xfs with -K.
#pragma once

#include <string>
#include <vector>

namespace mogu::snap {

void make_filesystem(const std::string& fs_type, const std::string& device, const std::vector<std::string>& extra);
std::vector<std::string> mkfs_argv(const std::string& fs_type, const std::string& device, const std::vector<std::string>& extra);

}  // namespace mogu::snap
