// A blob's bytes, read front to back: a file, a byte range inside an image tar, or memory (tests).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace mogu::flatten {

class BlobStream {
public:
    virtual ~BlobStream() = default;
    // Up to `size` bytes; 0 at the end. Failures throw.
    virtual size_t read(void* buf, size_t size) = 0;
};

// Reads [offset, offset+length) of a shared file descriptor with pread, naming `what` in errors.
std::unique_ptr<BlobStream> open_file_range(std::shared_ptr<const int> fd, uint64_t offset, uint64_t length,
                                            std::string what);
std::unique_ptr<BlobStream> open_memory(std::shared_ptr<const std::string> data);

// One layer of the input, as the merge needs it.
struct LayerInput {
    std::string name;                 // "layer 3 (sha256:0123456789ab)" for messages
    std::function<std::unique_ptr<BlobStream>()> open;
    std::string expect_digest;        // of the blob as stored; empty when the format has none
    std::string expect_diff_id;       // of the uncompressed tar; empty when unknown
    int64_t expect_size = -1;
};

}  // namespace mogu::flatten
