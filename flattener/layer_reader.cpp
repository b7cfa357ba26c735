#include "flattener/layer_reader.h"

#include "common/error.h"

#include <cerrno>
#include <utility>

namespace mogu::flatten {

namespace {
constexpr size_t kBuf = 1 << 20;

std::string la_error(archive* a) {
    const char* s = archive_error_string(a);
    return s ? s : "unknown libarchive error";
}
}  // namespace

LayerReader::LayerReader(const LayerInput& in, ReadCounters* counters)
    : in_(in), counters_(counters), blob_(in.open()), stored_buf_(kBuf), tar_buf_(kBuf) {
    // The first bytes tell gzip from the rest.
    const unsigned char* head = nullptr;
    first_ = next_stored(&head);
    if (first_ == 0) throw Error("{}: the blob is empty", in_.name);
    if (first_ >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        gzip_ = std::make_unique<GzipReader>([this](const unsigned char** data) { return next_stored(data); });
    } else {
        raw_owner_.reset(raw_ = archive_read_new());
        if (!raw_) throw Error("{}: out of memory", in_.name);
        archive_read_support_filter_all(raw_);
        archive_read_support_format_raw(raw_);
        if (archive_read_open(raw_, this, nullptr, read_stored, nullptr) != ARCHIVE_OK)
            throw Error("{}: corrupt or truncated compressed data: {}", in_.name, la_error(raw_));
        archive_entry* e;
        int rc = archive_read_next_header(raw_, &e);
        if (rc == ARCHIVE_EOF) throw Error("{}: the blob is empty", in_.name);
        if (rc < ARCHIVE_WARN)
            throw Error("{}: corrupt or truncated compressed data: {}", in_.name, la_error(raw_));
    }
    tar_owner_.reset(tar_ = archive_read_new());
    if (!tar_) throw Error("{}: out of memory", in_.name);
    archive_read_support_filter_none(tar_);
    archive_read_support_format_tar(tar_);
    if (archive_read_open(tar_, this, nullptr, read_tar, nullptr) != ARCHIVE_OK) fail("not a tar archive");
}

LayerReader::~LayerReader() = default;

size_t LayerReader::next_stored(const unsigned char** data) {
    *data = reinterpret_cast<const unsigned char*>(stored_buf_.data());
    if (first_ > 0) return std::exchange(first_, 0);
    size_t n = blob_->read(stored_buf_.data(), stored_buf_.size());
    stored_hash_.update(stored_buf_.data(), n);
    stored_bytes_ += n;
    if (counters_) counters_->stored += n;
    return n;
}

la_ssize_t LayerReader::read_stored(archive* a, void* self, const void** buf) {
    auto* r = static_cast<LayerReader*>(self);
    try {
        const unsigned char* data;
        size_t n = r->next_stored(&data);
        *buf = data;
        return static_cast<la_ssize_t>(n);
    } catch (const std::exception& ex) {
        archive_set_error(a, EIO, "%s", ex.what());
        return -1;
    }
}

// The uncompressed stream, for the tar reader; hashed for the diff_id on the way.
la_ssize_t LayerReader::read_tar(archive* a, void* self, const void** buf) {
    auto* r = static_cast<LayerReader*>(self);
    if (r->raw_eof_) return 0;
    la_ssize_t n;
    if (r->gzip_) {
        try {
            n = static_cast<la_ssize_t>(
                r->gzip_->read(reinterpret_cast<unsigned char*>(r->tar_buf_.data()), r->tar_buf_.size()));
        } catch (const std::exception& ex) {
            r->raw_error_ = ex.what();
            n = -1;
        }
    } else {
        n = archive_read_data(r->raw_, r->tar_buf_.data(), r->tar_buf_.size());
        if (n < 0) r->raw_error_ = la_error(r->raw_);
    }
    if (n < 0) {
        archive_set_error(a, EIO, "%s", r->raw_error_.c_str());
        return -1;
    }
    if (n == 0) r->raw_eof_ = true;
    r->tar_hash_.update(r->tar_buf_.data(), static_cast<size_t>(n));
    if (r->counters_) r->counters_->uncompressed += static_cast<uint64_t>(n);
    *buf = r->tar_buf_.data();
    return n;
}

void LayerReader::fail(const char* what) {
    if (!raw_error_.empty())
        throw Error("{}: {}corrupt or truncated compressed data: {}", in_.name,
                    entry_name_.empty() ? "" : fmt::format("in entry {}: ", entry_name_), raw_error_);
    const char* detail = archive_error_string(tar_);
    std::string why = detail ? fmt::format("{}: {}", what, detail) : std::string(what);
    if (entry_name_.empty()) throw Error("{}: {}", in_.name, why);
    throw Error("{}: entry {}: {}", in_.name, entry_name_, why);
}

archive_entry* LayerReader::next() {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(tar_, &e);
    if (rc == ARCHIVE_EOF) return nullptr;
    if (rc < ARCHIVE_WARN) {
        if (!entry_name_.empty()) entry_name_ = "after " + entry_name_;
        fail("bad tar header");
    }
    const char* name = archive_entry_pathname(e);
    if (!name || !*name) {
        // libarchive passes some damaged headers on with a warning and no name.
        if (!entry_name_.empty()) entry_name_ = "after " + entry_name_;
        fail("bad tar header");
    }
    entry_name_ = name;
    return e;
}

bool LayerReader::data_block(const void** buf, size_t* size, int64_t* offset) {
    la_int64_t off = 0;
    int rc = archive_read_data_block(tar_, buf, size, &off);
    if (rc == ARCHIVE_EOF) return false;
    if (rc < ARCHIVE_WARN) fail("bad file data");
    *offset = off;
    return true;
}

void LayerReader::finish() {
    // The tar's end marker may come before the end of the stream (padding): hash all of it.
    while (!raw_eof_) {
        const void* buf;
        if (read_tar(tar_, this, &buf) < 0) fail("");
    }
    for (;;) {
        const unsigned char* data;
        if (next_stored(&data) == 0) break;
    }
    if (in_.expect_size >= 0 && stored_bytes_ != static_cast<uint64_t>(in_.expect_size))
        throw Error("{}: the blob has {} bytes, its descriptor says {}", in_.name, stored_bytes_, in_.expect_size);
    std::string stored = stored_hash_.digest();
    if (!in_.expect_digest.empty() && stored != in_.expect_digest)
        throw Error("{}: digest mismatch: the blob's content is {}", in_.name, stored);
    std::string diff_id = tar_hash_.digest();
    if (!in_.expect_diff_id.empty() && diff_id != in_.expect_diff_id)
        throw Error("{}: the uncompressed layer is {}, but the config's rootfs.diff_ids says {}", in_.name, diff_id,
                    in_.expect_diff_id);
}

}  // namespace mogu::flatten
