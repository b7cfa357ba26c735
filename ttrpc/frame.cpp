#include "ttrpc/frame.h"

#include <fmt/core.h>

namespace mogu::ttrpc {

std::array<uint8_t, kHeaderSize> encode_header(const FrameHeader& h) {
    return {uint8_t(h.length >> 24), uint8_t(h.length >> 16), uint8_t(h.length >> 8), uint8_t(h.length),
            uint8_t(h.stream_id >> 24), uint8_t(h.stream_id >> 16), uint8_t(h.stream_id >> 8), uint8_t(h.stream_id),
            h.type, h.flags};
}

FrameHeader decode_header(const uint8_t* b) {
    FrameHeader h;
    h.length = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
    h.stream_id = uint32_t(b[4]) << 24 | uint32_t(b[5]) << 16 | uint32_t(b[6]) << 8 | b[7];
    h.type = b[8];
    h.flags = b[9];
    return h;
}

std::string encode_frame(uint32_t stream_id, FrameType type, const std::string& payload, uint8_t flags) {
    if (payload.size() > kMaxPayload)
        throw FrameError(fmt::format("ttrpc message of {} bytes is over the {} byte limit", payload.size(), kMaxPayload),
                         stream_id);
    FrameHeader h{uint32_t(payload.size()), stream_id, uint8_t(type), flags};
    auto head = encode_header(h);
    std::string out(reinterpret_cast<const char*>(head.data()), head.size());
    out += payload;
    return out;
}

std::optional<Frame> FrameDecoder::next() {
    if (buf_.size() - pos_ < kHeaderSize) return std::nullopt;
    FrameHeader h = decode_header(reinterpret_cast<const uint8_t*>(buf_.data() + pos_));
    if (h.length > max_)
        throw FrameError(fmt::format("ttrpc frame of {} bytes on stream {} is over the {} byte limit", h.length,
                                     h.stream_id, max_),
                         h.stream_id);
    if (buf_.size() - pos_ < kHeaderSize + h.length) return std::nullopt;
    Frame f{h, buf_.substr(pos_ + kHeaderSize, h.length)};
    pos_ += kHeaderSize + h.length;
    // Compact once the consumed prefix dominates, so a long-lived connection does not grow.
    if (pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
    } else if (pos_ > 64 * 1024 && pos_ * 2 > buf_.size()) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    return f;
}

}  // namespace mogu::ttrpc
