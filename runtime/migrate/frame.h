// mogu migrate's wire format between the source and the one-shot receiver on the target: frames
// of [type: 1 byte][length: 8 bytes, big endian][payload], in this order:
//   hello (manifest) -> result | config (config.json) -> rootfs (a tar of the changed files)
//   -> image* (criu images, live only) -> restore | start -> result
// Pre-copy puts iterations between config and rootfs, each a criu (pre-)dump whose pages go to a
// page server on the target, the other images following as image frames into that iteration:
//   iteration ("pre" | "final") -> page_server (its port) | result (error)
//   ... criu sends the pages ... iteration_done -> pages_received (bytes) | result (error)
// A result's payload is "ok" or "error: <why>". EOF anywhere else means the peer gave up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mogu::runtime::migrate {

enum class FrameType : uint8_t {
    hello = 1,
    config = 2,
    rootfs = 3,
    image = 4,
    restore = 5,
    start = 6,
    result = 7,
    iteration = 8,        // start a pre-copy iteration: "pre" or "final"
    page_server = 9,      // the answer: the port of the iteration's page server
    iteration_done = 10,  // criu finished sending this iteration's pages
    pages_received = 11,  // the answer: how many bytes of pages the page server wrote
};
inline constexpr FrameType kLastFrameType = FrameType::pages_received;
const char* frame_type_name(FrameType t);

inline constexpr size_t kFrameHeaderSize = 9;
inline constexpr uint64_t kMaxFramePayload = uint64_t{8} << 30;  // one criu pages image, at most 8 GiB

struct Frame {
    FrameType type{};
    std::string payload;
};

// The header for a payload of `length` bytes.
std::string encode_header(FrameType type, uint64_t length);
// Parses a header; throws Error for an unknown type or an absurd length.
struct Header {
    FrameType type{};
    uint64_t length = 0;
};
Header decode_header(std::string_view header);

// Whole frames over a socket (blocking; EINTR retried). read_frame throws Error on EOF, naming
// what it was waiting for; `expected` is checked when given.
void write_frame(int fd, FrameType type, std::string_view payload);
Frame read_frame(int fd, const char* waiting_for);
Frame read_frame_of(int fd, FrameType expected, const char* waiting_for);

// An image frame's payload: "<file name>\0<content>". The name is a plain file name (no '/',
// not "." or ".."): decode refuses anything else, so a peer cannot write outside the directory.
std::string encode_image(std::string_view name, std::string_view content);
struct ImageFile {
    std::string name;
    std::string_view content;  // into the payload
};
ImageFile decode_image(std::string_view payload);

// The payload of page_server and pages_received: a decimal number. decode throws Error naming
// `what` unless the payload is all digits and fits.
std::string encode_number(uint64_t n);
uint64_t decode_number(std::string_view payload, const char* what);

// A result's payload: "ok", "error: WHY", or, for a restore the target ran post-copy (its
// memory still being filled in there), "ok post-copy".
inline constexpr std::string_view kResultOk = "ok";
inline constexpr std::string_view kResultOkPostCopy = "ok post-copy";
std::string error_result(std::string_view why);
bool is_ok_result(std::string_view payload);
// Throws Error("<what>: <why>") unless the payload is an ok.
void check_result(std::string_view payload, std::string_view what);

}  // namespace mogu::runtime::migrate
