#include "flattener/blob_stream.h"

#include "common/error.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mogu::flatten {

namespace {

class FileRange : public BlobStream {
public:
    FileRange(std::shared_ptr<const int> fd, uint64_t offset, uint64_t length, std::string what)
        : fd_(std::move(fd)), pos_(offset), end_(offset + length), what_(std::move(what)) {}

    size_t read(void* buf, size_t size) override {
        size = static_cast<size_t>(std::min<uint64_t>(size, end_ - pos_));
        if (size == 0) return 0;
        for (;;) {
            ssize_t n = ::pread(*fd_, buf, size, static_cast<off_t>(pos_));
            if (n < 0) {
                if (errno == EINTR) continue;
                throw SysError(errno, "read {}", what_);
            }
            if (n == 0) throw Error("read {}: file ends early (truncated?)", what_);
            pos_ += static_cast<uint64_t>(n);
            return static_cast<size_t>(n);
        }
    }

private:
    std::shared_ptr<const int> fd_;
    uint64_t pos_, end_;
    std::string what_;
};

class Memory : public BlobStream {
public:
    explicit Memory(std::shared_ptr<const std::string> data) : data_(std::move(data)) {}
    size_t read(void* buf, size_t size) override {
        size_t n = std::min(size, data_->size() - pos_);
        std::memcpy(buf, data_->data() + pos_, n);
        pos_ += n;
        return n;
    }

private:
    std::shared_ptr<const std::string> data_;
    size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<BlobStream> open_file_range(std::shared_ptr<const int> fd, uint64_t offset, uint64_t length,
                                            std::string what) {
    return std::make_unique<FileRange>(std::move(fd), offset, length, std::move(what));
}

std::unique_ptr<BlobStream> open_memory(std::shared_ptr<const std::string> data) {
    return std::make_unique<Memory>(std::move(data));
}

}  // namespace mogu::flatten
