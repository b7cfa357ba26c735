#include "snapshotter/mkfs.h"

#include "common/error.h"
#include "snapshotter/process.h"

namespace mogu::snap {

std::vector<std::string> mkfs_argv(const std::string& fs_type, const std::string& device, const std::vector<std::string>& extra) {
    std::vector<std::string> argv;
    if (fs_type == "ext4") argv = {"mkfs.ext4", "-q", "-F", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0"};
    else if (fs_type == "xfs") argv = {"mkfs.xfs", "-q", "-f", "-K"};
    else throw Error("unsupported fs_type {}", fs_type);
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(device);
    return argv;
}

void make_filesystem(const std::string& fs_type, const std::string& device, const std::vector<std::string>& extra) {
    run_program(mkfs_argv(fs_type, device, extra));
}

}  // namespace mogu::snap
