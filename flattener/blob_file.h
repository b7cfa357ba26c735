// BlobFile: a new file that hashes and counts what is written to it, so its digest is known when
// it is complete. The file is removed on destruction unless it was moved into place with commit().
#pragma once

#include "common/fd.h"
#include "flattener/byte_sink.h"
#include "flattener/sha256.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mogu::flatten {

class BlobFile : public ByteSink {
public:
    // Creates `path` (it must not exist).
    explicit BlobFile(std::string path);
    ~BlobFile() override;
    BlobFile(const BlobFile&) = delete;
    BlobFile& operator=(const BlobFile&) = delete;

    void write(const void* data, size_t size) override;
    void finish() override;

    // Valid after finish().
    const std::string& digest() const { return digest_; }
    uint64_t size() const { return size_; }
    // Renames the finished file to `dest` (in the same file system); the destructor leaves it.
    void commit(const std::string& dest);

private:
    void flush();
    std::string path_;
    UniqueFd fd_;
    Sha256 hash_;
    std::vector<char> buf_;
    std::string digest_;
    uint64_t size_ = 0;
    bool finished_ = false;
    bool committed_ = false;
};

}  // namespace mogu::flatten
