// The new layer's tar (pax, libarchive), written into a ByteSink. Entries are copied from the
// input with their full metadata (xattrs, sparse maps, long names, large ids); only names change.
#pragma once

#include "flattener/byte_sink.h"
#include "flattener/layer_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstdint>
#include <functional>
#include <string>

namespace mogu::flatten {

class TarOut {
public:
    explicit TarOut(ByteSink& sink);
    ~TarOut();
    TarOut(const TarOut&) = delete;
    TarOut& operator=(const TarOut&) = delete;

    // Writes `e` under `path`; a regular file's data comes from `data` (the reader positioned on it).
    void copy(archive_entry* e, const std::string& path, LayerReader* data);
    // A hardlink entry `path` -> `target`, with the metadata of `like`.
    void hardlink(archive_entry* like, const std::string& path, const std::string& target);
    // Ends the archive and finishes the sink.
    void finish();

    uint64_t entries() const { return entries_; }
    // Called between data blocks of large files; throws to stop (SIGINT).
    void set_interrupt_check(std::function<void()> fn) { interrupt_ = std::move(fn); }

private:
    void configure();
    static la_ssize_t write_cb(archive* a, void* self, const void* buf, size_t size);
    void header(archive_entry* e, const std::string& path);
    void data(const void* buf, size_t size, const std::string& path);
    ByteSink& sink_;
    archive* a_;
    uint64_t entries_ = 0;
    std::string sink_error_;
    std::function<void()> interrupt_;
};

}  // namespace mogu::flatten
