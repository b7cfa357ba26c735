// How the container's rootfs reaches the guest: an ext4 image made from the bundle's rootfs
// (mkfs.ext4 -d copies the tree; no mount, no loop device, no root-only tool), handed over as a
// virtio-blk disk; or the directory itself as a virtio-9p share (no copy, slower file access);
// or a host block device named by the bundle (rootfs_device.h), handed over as it is.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace mogu::vm {

enum class RootfsMode { block, share, device };

// The image file: removed on destruction unless released.
class RootfsImage {
public:
    RootfsImage() = default;
    explicit RootfsImage(std::string path) : path_(std::move(path)) {}
    RootfsImage(RootfsImage&& o) noexcept : path_(std::exchange(o.path_, "")) {}
    RootfsImage& operator=(RootfsImage&& o) noexcept;
    RootfsImage(const RootfsImage&) = delete;
    RootfsImage& operator=(const RootfsImage&) = delete;
    ~RootfsImage();

    const std::string& path() const { return path_; }
    std::string release() { return std::exchange(path_, ""); }

private:
    std::string path_;
};

// The size of what is under `dir` (apparent sizes rounded up to 4 KiB blocks) and its inodes.
struct TreeSize {
    uint64_t bytes = 0;
    uint64_t inodes = 0;
};
TreeSize measure_tree(const std::string& dir);

// The image size for a tree: room for the files, ext4's metadata and some writes.
uint64_t image_size_for(const TreeSize& t);

// Makes an ext4 image of `rootfs` at `image` (sparse). Errors name the rootfs and carry mkfs's output.
RootfsImage make_rootfs_image(const std::string& rootfs, const std::string& image);

}  // namespace mogu::vm
