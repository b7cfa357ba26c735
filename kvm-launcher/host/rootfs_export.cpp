#include "kvm-launcher/host/rootfs_export.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/files.h"
#include "common/strings.h"
#include "common/subprocess.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::vm {
namespace {

constexpr uint64_t kMiB = 1 << 20;
thread_local TreeSize* g_tree = nullptr;

int count_entry(const char*, const struct stat* st, int type, struct FTW*) {
    if (type == FTW_NS) return 0;
    g_tree->inodes++;
    if (S_ISREG(st->st_mode) || S_ISLNK(st->st_mode) || S_ISDIR(st->st_mode))
        g_tree->bytes += (uint64_t(st->st_size) + 4095) / 4096 * 4096;
    return 0;
}

}  // namespace

RootfsImage& RootfsImage::operator=(RootfsImage&& o) noexcept {
    if (this != &o) {
        if (!path_.empty()) ::unlink(path_.c_str());
        path_ = std::exchange(o.path_, "");
    }
    return *this;
}

RootfsImage::~RootfsImage() {
    if (!path_.empty()) ::unlink(path_.c_str());
}

TreeSize measure_tree(const std::string& dir) {
    TreeSize t;
    g_tree = &t;
    int rc = nftw(dir.c_str(), count_entry, 64, FTW_PHYS | FTW_MOUNT);
    g_tree = nullptr;
    if (rc != 0) throw SysError(errno, "measure the rootfs {}", dir);
    return t;
}

uint64_t image_size_for(const TreeSize& t) {
    // Half again the data for ext4's metadata and block rounding, 64 MiB for the container's own
    // writes, whole MiB. The file is sparse: unused space costs nothing on the host.
    uint64_t size = t.bytes + t.bytes / 2 + t.inodes * 256 + 64 * kMiB;
    return (size + kMiB - 1) / kMiB * kMiB;
}

RootfsImage make_rootfs_image(const std::string& rootfs, const std::string& image) {
    struct stat st {};
    if (stat(rootfs.c_str(), &st) < 0) throw SysError(errno, "rootfs {}", rootfs);
    if (!S_ISDIR(st.st_mode)) throw Error("rootfs {} is not a directory", rootfs);
    TreeSize t = measure_tree(rootfs);
    uint64_t size = image_size_for(t);
    {
        UniqueFd fd(::open(image.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!fd) throw SysError(errno, "create the rootfs image {}", image);
    }
    RootfsImage img(image);
    if (truncate(image.c_str(), off_t(size)) < 0) throw SysError(errno, "size the rootfs image {}", image);
    // No journal (the image dies with the VM), no reserved blocks, enough inodes for the tree
    // plus room to grow; -E root_owner keeps the root directory's owner as the tree has it.
    uint64_t inodes = t.inodes * 2 + 4096;
    auto r = run_program({"mkfs.ext4", "-q", "-F", "-O", "^has_journal", "-m", "0", "-N", std::to_string(inodes),
                          "-E", fmt::format("root_owner={}:{}", st.st_uid, st.st_gid), "-d", rootfs, image},
                         true);
    if (!r.ok()) throw Error("cannot export rootfs {} as an ext4 image: mkfs.ext4 failed: {}", rootfs, std::string(trim(r.output)));
    return img;
}

}  // namespace mogu::vm
