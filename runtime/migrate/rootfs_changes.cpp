#include "runtime/migrate/rootfs_changes.h"

#include "common/error.h"
#include "common/subprocess.h"

namespace mogu::runtime::migrate {

void pack_rootfs_changes(const std::string& rootfs, const std::string& since, const std::string& tar_path) {
    auto r = run_program({"tar", "-C", rootfs, "--numeric-owner", "--xattrs", "--newer-mtime=" + since, "-cf", tar_path, "."}, true);
    if (!r.ok()) throw Error("migrate: packing the changes of {} since {} failed: {}", rootfs, since, r.output);
}

void unpack_rootfs_changes(const std::string& tar_path, const std::string& rootfs) {
    auto r = run_program({"tar", "-C", rootfs, "--numeric-owner", "--xattrs", "-xpf", tar_path}, true);
    if (!r.ok()) throw Error("migrate: unpacking the rootfs changes into {} failed: {}", rootfs, r.output);
}

}  // namespace mogu::runtime::migrate
