// ttrpc framing: a 10-byte header (u32 BE payload length, u32 BE stream id, u8 type, u8 flags)
// followed by the payload. FrameDecoder turns a byte stream into frames and refuses lengths
// over the cap before reading them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace mogu::ttrpc {

constexpr size_t kHeaderSize = 10;
constexpr uint32_t kMaxPayload = 4u << 20;

enum class FrameType : uint8_t { request = 1, response = 2, data = 3 };

// Flags of data frames (streams). Unary calls carry none.
constexpr uint8_t kFlagRemoteClosed = 0x1;
constexpr uint8_t kFlagNoData = 0x2;

struct FrameHeader {
    uint32_t length = 0;
    uint32_t stream_id = 0;
    uint8_t type = 0;
    uint8_t flags = 0;
};

struct Frame {
    FrameHeader header;
    std::string payload;
};

// A stream that can no longer be read as frames (oversized length): the connection must go.
class FrameError : public std::runtime_error {
public:
    FrameError(const std::string& what, uint32_t stream_id) : std::runtime_error(what), stream_id_(stream_id) {}
    uint32_t stream_id() const noexcept { return stream_id_; }

private:
    uint32_t stream_id_;
};

std::array<uint8_t, kHeaderSize> encode_header(const FrameHeader& h);
FrameHeader decode_header(const uint8_t* bytes);
// Header plus payload, ready to write. Throws FrameError when the payload is over the cap.
std::string encode_frame(uint32_t stream_id, FrameType type, const std::string& payload, uint8_t flags = 0);

class FrameDecoder {
public:
    explicit FrameDecoder(uint32_t max_payload = kMaxPayload) : max_(max_payload) {}
    void feed(const char* data, size_t n) { buf_.append(data, n); }
    // The next complete frame, or nullopt when more bytes are needed. Throws FrameError when a
    // header announces more than the cap.
    std::optional<Frame> next();
    // Bytes received that do not yet form a frame (a short header at EOF is a truncated stream).
    size_t pending() const { return buf_.size() - pos_; }

private:
    uint32_t max_;
    std::string buf_;
    size_t pos_ = 0;
};

}  // namespace mogu::ttrpc
