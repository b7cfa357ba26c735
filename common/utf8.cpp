#include "common/utf8.h"

#include <cstdint>

namespace mogu {
namespace {

// The length of the valid sequence at s[i], or 0.
size_t sequence_at(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return uint8_t(s[k]); };
    uint8_t b = byte(i);
    if (b < 0x80) return 1;
    size_t n;
    uint8_t lo = 0x80, hi = 0xbf;  // the range of the second byte
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b == 0xe0) n = 3, lo = 0xa0;             // no overlong 3-byte forms
    else if (b == 0xed) n = 3, hi = 0x9f;             // no surrogates
    else if (b >= 0xe1 && b <= 0xef) n = 3;
    else if (b == 0xf0) n = 4, lo = 0x90;             // no overlong 4-byte forms
    else if (b == 0xf4) n = 4, hi = 0x8f;             // nothing above U+10FFFF
    else if (b >= 0xf1 && b <= 0xf3) n = 4;
    else return 0;
    if (i + n > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (size_t k = 2; k < n; k++)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
    return n;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        size_t n = sequence_at(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string to_valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        size_t n = sequence_at(s, i);
        if (n == 0) {
            out += "\xef\xbf\xbd";
            i++;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

}  // namespace mogu
