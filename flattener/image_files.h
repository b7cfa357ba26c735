// The files of an input image, whether it is a directory or a tar: small files read whole, blobs
// opened as streams. A tar is indexed once (member -> offset, size) and read with pread after.
#pragma once

#include "flattener/blob_stream.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace mogu::flatten {

class ImageFiles {
public:
    virtual ~ImageFiles() = default;
    // The input as the user named it, for messages.
    virtual const std::string& where() const = 0;
    virtual bool is_tar() const = 0;
    virtual bool exists(const std::string& member) const = 0;
    // Throws naming the member when it is missing.
    virtual uint64_t size(const std::string& member) const = 0;
    virtual std::unique_ptr<BlobStream> open(const std::string& member) const = 0;
    // Copies a member into a new file.
    virtual void copy_to(const std::string& member, const std::string& dest) const = 0;

    // A small file (JSON) read whole; at most `limit` bytes.
    std::string read(const std::string& member, uint64_t limit = 64 << 20) const;
};

// INPUT is a directory or a (uncompressed) tar file.
std::unique_ptr<ImageFiles> open_image_files(const std::string& input);

// Member names inside an image: relative, no "..", "./" stripped. nullopt when it escapes.
std::optional<std::string> normalize_member(const std::string& name);

}  // namespace mogu::flatten
