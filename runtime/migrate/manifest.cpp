#include "runtime/migrate/manifest.h"

#include "common/error.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace mogu::runtime::migrate {

const char* mode_name(Mode m) { return m == Mode::live ? "live" : "cold"; }

std::string encode_manifest(const Manifest& m) {
    std::string s;
    s += "version=" + std::to_string(m.version) + "\n";
    s += "id=" + m.id + "\n";
    s += std::string("mode=") + mode_name(m.mode) + "\n";
    s += std::string("tcp-established=") + (m.tcp_established ? "1" : "0") + "\n";
    if (m.post_copy) s += "post-copy=1\n";
    return s;
}

Manifest decode_manifest(std::string_view text) {
    Manifest m;
    m.version = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.empty()) continue;
        auto eq = line.find('=');
        if (eq == std::string_view::npos) throw Error("migrate: manifest line '{}' is not key=value", line);
        auto key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "version") {
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), m.version);
            if (ec != std::errc{} || p != value.data() + value.size()) throw Error("migrate: manifest version '{}' is not a number", value);
        } else if (key == "id") {
            m.id = value;
        } else if (key == "mode") {
            if (value == "live") m.mode = Mode::live;
            else if (value == "cold") m.mode = Mode::cold;
            else throw Error("migrate: manifest mode '{}' is neither live nor cold", value);
        } else if (key == "tcp-established") {
            if (value != "0" && value != "1") throw Error("migrate: manifest tcp-established '{}' is not 0 or 1", value);
            m.tcp_established = value == "1";
        } else if (key == "post-copy") {
            if (value != "0" && value != "1") throw Error("migrate: manifest post-copy '{}' is not 0 or 1", value);
            m.post_copy = value == "1";
        } else {
            throw Error("migrate: unknown manifest key '{}' (a newer mogu on the source?)", key);
        }
    }
    if (m.version != kProtocolVersion) throw Error("migrate: protocol version {} is not supported (this mogu speaks {})", m.version, kProtocolVersion);
    if (m.id.empty() || m.id.find('/') != std::string::npos || m.id == "." || m.id == "..") throw Error("migrate: manifest has no usable container id ('{}')", m.id);
    return m;
}

sockaddr_in parse_address(std::string_view text, const char* flag) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) throw UsageError("{} '{}': expected ADDR:PORT", flag, text);
    std::string host(text.substr(0, colon));
    auto port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port == 0 || port > 65535)
        throw UsageError("{} '{}': '{}' is not a port (1-65535)", flag, text, port_text);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) throw UsageError("{} '{}': '{}' is not an IPv4 address", flag, text, host);
    return sa;
}

}  // namespace mogu::runtime::migrate
