#include "runtime/migrate/frame.h"

#include "common/error.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace mogu::runtime::migrate {

const char* frame_type_name(FrameType t) {
    switch (t) {
        case FrameType::hello: return "hello";
        case FrameType::config: return "config";
        case FrameType::rootfs: return "rootfs";
        case FrameType::image: return "image";
        case FrameType::restore: return "restore";
        case FrameType::start: return "start";
        case FrameType::result: return "result";
        case FrameType::iteration: return "iteration";
        case FrameType::page_server: return "page_server";
        case FrameType::iteration_done: return "iteration_done";
        case FrameType::pages_received: return "pages_received";
    }
    return "unknown";
}

std::string encode_header(FrameType type, uint64_t length) {
    std::string h(kFrameHeaderSize, '\0');
    h[0] = static_cast<char>(type);
    for (int i = 0; i < 8; ++i) h[1 + i] = static_cast<char>((length >> (56 - 8 * i)) & 0xff);
    return h;
}

Header decode_header(std::string_view header) {
    if (header.size() != kFrameHeaderSize) throw Error("migrate: a frame header is {} bytes, not {}", kFrameHeaderSize, header.size());
    auto type = static_cast<uint8_t>(header[0]);
    if (type < 1 || type > static_cast<uint8_t>(kLastFrameType)) throw Error("migrate: unknown frame type {} (not a mogu migrate peer?)", type);
    uint64_t length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | static_cast<uint8_t>(header[1 + i]);
    if (length > kMaxFramePayload) throw Error("migrate: a {} frame of {} bytes is over the limit of {}", frame_type_name(FrameType{type}), length, kMaxFramePayload);
    return {FrameType{type}, length};
}

namespace {

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SysError(errno, "migrate: sending to the peer");
        data.remove_prefix(static_cast<size_t>(n));
    }
}

// false on EOF before the first byte; throws on EOF half-way.
bool read_all(int fd, char* buf, size_t len, const char* waiting_for) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = ::read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SysError(errno, "migrate: receiving {} from the peer", waiting_for);
        if (n == 0) {
            if (got == 0) return false;
            throw Error("migrate: the peer closed the connection in the middle of {}", waiting_for);
        }
        got += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace

void write_frame(int fd, FrameType type, std::string_view payload) {
    write_all(fd, encode_header(type, payload.size()));
    write_all(fd, payload);
}

Frame read_frame(int fd, const char* waiting_for) {
    std::string header(kFrameHeaderSize, '\0');
    if (!read_all(fd, header.data(), header.size(), waiting_for)) throw Error("migrate: the peer closed the connection while we waited for {}", waiting_for);
    auto h = decode_header(header);
    Frame f{h.type, std::string(h.length, '\0')};
    if (h.length > 0 && !read_all(fd, f.payload.data(), f.payload.size(), waiting_for))
        throw Error("migrate: the peer closed the connection in the middle of {}", waiting_for);
    return f;
}

Frame read_frame_of(int fd, FrameType expected, const char* waiting_for) {
    auto f = read_frame(fd, waiting_for);
    if (f.type != expected) {
        if (f.type == FrameType::result && !is_ok_result(f.payload)) check_result(f.payload, "migrate: the peer gave up");
        throw Error("migrate: expected a {} frame ({}), got {}", frame_type_name(expected), waiting_for, frame_type_name(f.type));
    }
    return f;
}

std::string encode_image(std::string_view name, std::string_view content) {
    std::string p(name);
    p.push_back('\0');
    p.append(content);
    return p;
}

ImageFile decode_image(std::string_view payload) {
    auto nul = payload.find('\0');
    if (nul == std::string_view::npos) throw Error("migrate: an image frame without a file name");
    std::string name(payload.substr(0, nul));
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
        throw Error("migrate: refusing image file name '{}' (must be a plain file name)", name);
    return {name, payload.substr(nul + 1)};
}

std::string encode_number(uint64_t n) { return std::to_string(n); }

uint64_t decode_number(std::string_view payload, const char* what) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), n);
    if (payload.empty() || ec != std::errc{} || end != payload.data() + payload.size())
        throw Error("migrate: {} \"{}\" is not a decimal number", what, payload.substr(0, 40));
    return n;
}

std::string error_result(std::string_view why) { return "error: " + std::string(why); }

bool is_ok_result(std::string_view payload) { return payload == kResultOk || payload == kResultOkPostCopy; }

void check_result(std::string_view payload, std::string_view what) {
    if (is_ok_result(payload)) return;
    std::string_view why = payload;
    if (why.starts_with("error: ")) why.remove_prefix(7);
    throw Error("{}: {}", what, why);
}

}  // namespace mogu::runtime::migrate
