#include "flattener/tar_out.h"

#include "common/error.h"

#include <cerrno>

namespace mogu::flatten {

namespace {
const char kZeros[64 << 10] = {};
}

TarOut::TarOut(ByteSink& sink) : sink_(sink), a_(archive_write_new()) {
    if (!a_) throw Error("tar: out of memory");
    try {
        configure();
    } catch (...) {
        archive_write_free(a_);
        throw;
    }
}

void TarOut::configure() {
    // pax: ustar headers, plus an extended header only for what ustar cannot hold (long names,
    // large ids or sizes, sub-second times, xattrs, sparse maps).
    if (archive_write_set_format_pax(a_) != ARCHIVE_OK || archive_write_add_filter_none(a_) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a_, 1) != ARCHIVE_OK)
        throw Error("tar: {}", archive_error_string(a_));
    // xattrs as SCHILY.xattr records only, the form Go's archive/tar (containerd, docker) reads.
    archive_write_set_format_option(a_, "pax", "xattrheader", "SCHILY");
    if (archive_write_open(a_, this, nullptr, write_cb, nullptr) != ARCHIVE_OK)
        throw Error("tar: {}", archive_error_string(a_));
}

TarOut::~TarOut() { archive_write_free(a_); }

la_ssize_t TarOut::write_cb(archive* a, void* self, const void* buf, size_t size) {
    auto* t = static_cast<TarOut*>(self);
    try {
        t->sink_.write(buf, size);
        return static_cast<la_ssize_t>(size);
    } catch (const std::exception& ex) {
        t->sink_error_ = ex.what();
        archive_set_error(a, EIO, "%s", ex.what());
        return -1;
    }
}

void TarOut::header(archive_entry* e, const std::string& path) {
    archive_entry_set_pathname(e, path.empty() ? "." : path.c_str());
    int rc = archive_write_header(a_, e);
    if (rc < ARCHIVE_WARN) {
        if (!sink_error_.empty()) throw Error("{}", sink_error_);
        throw Error("writing entry {}: {}", path, archive_error_string(a_));
    }
    entries_++;
}

void TarOut::data(const void* buf, size_t size, const std::string& path) {
    while (size > 0) {
        la_ssize_t n = archive_write_data(a_, buf, size);
        if (n < 0) {
            if (!sink_error_.empty()) throw Error("{}", sink_error_);
            throw Error("writing data of {}: {}", path, archive_error_string(a_));
        }
        buf = static_cast<const char*>(buf) + n;
        size -= static_cast<size_t>(n);
    }
}

void TarOut::copy(archive_entry* e, const std::string& path, LayerReader* in) {
    bool regular = archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e);
    if (!regular) archive_entry_set_size(e, 0);
    header(e, path);
    if (!regular || !in) return;
    // Holes of a sparse file are passed as zeros: the pax writer skips them by the entry's map.
    int64_t pos = 0;
    int64_t size = archive_entry_size(e);
    const void* buf;
    size_t n;
    int64_t off;
    auto zeros = [&](int64_t upto) {
        while (pos < upto) {
            size_t k = static_cast<size_t>(std::min<int64_t>(upto - pos, sizeof kZeros));
            data(kZeros, k, path);
            pos += static_cast<int64_t>(k);
        }
    };
    while (in->data_block(&buf, &n, &off)) {
        if (off < pos) throw Error("{}: entry {}: data blocks go backwards", in->layer_name(), in->entry_name());
        if (interrupt_) interrupt_();
        zeros(off);
        data(buf, n, path);
        pos += static_cast<int64_t>(n);
    }
    zeros(size);
}

void TarOut::hardlink(archive_entry* like, const std::string& path, const std::string& target) {
    archive_entry* e = archive_entry_clone(like);
    archive_entry_set_hardlink(e, target.c_str());
    archive_entry_set_size(e, 0);
    archive_entry_sparse_clear(e);
    try {
        header(e, path);
    } catch (...) {
        archive_entry_free(e);
        throw;
    }
    archive_entry_free(e);
}

void TarOut::finish() {
    if (archive_write_close(a_) != ARCHIVE_OK) {
        if (!sink_error_.empty()) throw Error("{}", sink_error_);
        throw Error("tar: {}", archive_error_string(a_));
    }
    sink_.finish();
}

}  // namespace mogu::flatten
