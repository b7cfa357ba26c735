#include "flattener/blob_file.h"

#include "common/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace mogu::flatten {

namespace {
constexpr size_t kBuffer = 1 << 20;
}

BlobFile::BlobFile(std::string path) : path_(std::move(path)) {
    fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd_) throw SysError(errno, "create {}", path_);
    buf_.reserve(kBuffer);
}

BlobFile::~BlobFile() {
    if (!committed_) ::unlink(path_.c_str());
}

void BlobFile::write(const void* data, size_t size) {
    hash_.update(data, size);
    size_ += size;
    const char* p = static_cast<const char*>(data);
    if (buf_.size() + size > kBuffer) flush();
    if (size >= kBuffer) {
        while (size > 0) {
            ssize_t n = ::write(fd_.get(), p, size);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw SysError(errno, "write {}", path_);
            }
            p += n;
            size -= static_cast<size_t>(n);
        }
        return;
    }
    buf_.insert(buf_.end(), p, p + size);
}

void BlobFile::flush() {
    const char* p = buf_.data();
    size_t left = buf_.size();
    while (left > 0) {
        ssize_t n = ::write(fd_.get(), p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw SysError(errno, "write {}", path_);
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    buf_.clear();
}

void BlobFile::finish() {
    if (finished_) return;
    flush();
    digest_ = hash_.digest();
    finished_ = true;
}

void BlobFile::commit(const std::string& dest) {
    finish();
    fd_.reset();
    if (::rename(path_.c_str(), dest.c_str()) < 0) throw SysError(errno, "rename {} to {}", path_, dest);
    committed_ = true;
}

}  // namespace mogu::flatten
