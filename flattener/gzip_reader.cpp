#include "flattener/gzip_reader.h"

#include "common/error.h"

#include <isa-l/igzip_lib.h>

namespace mogu::flatten {

namespace {

const char* inflate_error(int rc) {
    switch (rc) {
        case ISAL_INVALID_BLOCK: return "invalid deflate block";
        case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
        case ISAL_INVALID_LOOKBACK: return "invalid deflate distance";
        case ISAL_INVALID_WRAPPER: return "bad gzip header";
        case ISAL_UNSUPPORTED_METHOD: return "unsupported gzip method";
        case ISAL_INCORRECT_CHECKSUM: return "gzip CRC mismatch";
        default: return "gzip data error";
    }
}

}  // namespace

GzipReader::GzipReader(Fill fill) : fill_(std::move(fill)), state_(std::make_unique<inflate_state>()) {
    isal_inflate_init(state_.get());
    state_->crc_flag = ISAL_GZIP;
}

GzipReader::~GzipReader() = default;

bool GzipReader::next_input() {
    const unsigned char* data = nullptr;
    size_t n = fill_(&data);
    if (n == 0) {
        eof_ = true;
        return false;
    }
    state_->next_in = const_cast<uint8_t*>(data);
    state_->avail_in = static_cast<uint32_t>(n);
    return true;
}

size_t GzipReader::read(unsigned char* out, size_t cap) {
    if (done_) return 0;
    inflate_state& s = *state_;
    s.next_out = out;
    s.avail_out = static_cast<uint32_t>(cap);
    while (s.avail_out > 0 && !done_) {
        if (member_done_) {
            // Another member, zero padding, or the end.
            if (s.avail_in == 0 && (eof_ || !next_input())) {
                done_ = true;
                break;
            }
            if (*s.next_in == 0) {
                s.next_in++;
                s.avail_in--;
                continue;
            }
            if (*s.next_in != 0x1f) throw Error("data after the end of the gzip stream");
            uint8_t* in = s.next_in;
            uint32_t avail_in = s.avail_in;
            uint8_t* next_out = s.next_out;
            uint32_t avail_out = s.avail_out;
            isal_inflate_reset(&s);
            s.crc_flag = ISAL_GZIP;
            s.next_in = in;
            s.avail_in = avail_in;
            s.next_out = next_out;
            s.avail_out = avail_out;
            member_done_ = false;
            continue;
        }
        if (s.avail_in == 0 && !eof_) next_input();
        uint32_t out_before = s.avail_out, in_before = s.avail_in;
        int rc = isal_inflate(&s);
        if (rc < 0) throw Error("{}", inflate_error(rc));
        if (s.block_state == ISAL_BLOCK_FINISH) {
            member_done_ = true;
            continue;
        }
        if (eof_ && s.avail_in == 0 && s.avail_out == out_before && in_before == 0)
            throw Error("truncated gzip input");
    }
    return cap - s.avail_out;
}

}  // namespace mogu::flatten
