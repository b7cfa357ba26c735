// Reads one layer: gzip is undone by ISA-L (GzipReader), any other compression by libarchive;
// libarchive reads the tar from that stream. Both the stored and the uncompressed bytes are hashed on the way, so
// finish() can check the blob digest and the config's diff_id.
#pragma once

#include "flattener/blob_stream.h"
#include "flattener/gzip_reader.h"
#include "flattener/sha256.h"

#include <archive.h>
#include <archive_entry.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mogu::flatten {

// Bytes read so far, for the progress display (another thread reads them).
struct ReadCounters {
    std::atomic<uint64_t> stored{0};
    std::atomic<uint64_t> uncompressed{0};
};

class LayerReader {
public:
    LayerReader(const LayerInput& in, ReadCounters* counters = nullptr);
    ~LayerReader();
    LayerReader(const LayerReader&) = delete;
    LayerReader& operator=(const LayerReader&) = delete;

    // The next entry, or nullptr after the last one. Valid until the next call.
    archive_entry* next();
    // The current entry's data, block by block (offsets jump over holes of sparse files).
    bool data_block(const void** buf, size_t* size, int64_t* offset);
    // Reads what is left and checks size, digest and diff_id.
    void finish();

    const std::string& layer_name() const { return in_.name; }
    const std::string& entry_name() const { return entry_name_; }

private:
    size_t next_stored(const unsigned char** data);
    static la_ssize_t read_stored(archive* a, void* self, const void** buf);
    static la_ssize_t read_tar(archive* a, void* self, const void** buf);
    [[noreturn]] void fail(const char* what);

    const LayerInput& in_;
    ReadCounters* counters_;
    std::unique_ptr<BlobStream> blob_;
    struct ReadFree {
        void operator()(archive* a) const { archive_read_free(a); }
    };
    std::unique_ptr<archive, ReadFree> raw_owner_, tar_owner_;
    std::unique_ptr<GzipReader> gzip_;  // stored gzip -> uncompressed stream, or
    archive* raw_ = nullptr;  // stored bytes -> uncompressed stream (other compressions)
    archive* tar_ = nullptr;  // uncompressed stream -> entries
    Sha256 stored_hash_, tar_hash_;
    uint64_t stored_bytes_ = 0;
    std::vector<char> stored_buf_, tar_buf_;
    std::string raw_error_;
    std::string entry_name_;
    bool raw_eof_ = false;
    size_t first_ = 0;  // bytes read to recognise gzip, handed out before the next read
};

}  // namespace mogu::flatten
