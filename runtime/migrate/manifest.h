// The hello frame: what the source is about to send, as "key=value" lines, so the receiver can
// refuse (an id it already has, a mode or version it does not speak) before anything is written.
#pragma once

#include <netinet/in.h>

#include <string>
#include <string_view>

namespace mogu::runtime::migrate {

enum class Mode { live, cold };
const char* mode_name(Mode m);

inline constexpr int kProtocolVersion = 1;

struct Manifest {
    int version = kProtocolVersion;
    std::string id;
    Mode mode = Mode::live;
    bool tcp_established = false;  // the criu images hold established TCP connections
    // live: the source asks for post-copy (the target runs the container at once and fills its
    // memory in from its copy of the images afterwards). Sent only when set, so a source with
    // --no-post-copy still speaks to a receiver that predates the key.
    bool post_copy = false;
};

std::string encode_manifest(const Manifest& m);
// Throws Error naming the bad line; unknown keys are refused (a newer source), as is a missing id.
Manifest decode_manifest(std::string_view text);

// "ADDR:PORT" (IPv4 dotted quad and a port 1-65535) for --to and --listen.
sockaddr_in parse_address(std::string_view text, const char* flag);

}  // namespace mogu::runtime::migrate
