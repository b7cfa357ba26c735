#include "snapshotter/sizes.h"

#include "common/strings.h"

#include <fmt/core.h>

#include <cctype>
#include <string>

namespace mogu::snap {

std::optional<uint64_t> parse_size(std::string_view text) {
    text = trim(text);
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    if (digits == 0) return std::nullopt;
    auto number = parse_uint(text.substr(0, digits));
    if (!number) return std::nullopt;
    std::string unit(trim(text.substr(digits)));
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    uint64_t mult;
    if (unit.empty() || unit == "b") mult = 1;
    else if (unit == "kb") mult = 1000ULL;
    else if (unit == "mb") mult = 1000ULL * 1000;
    else if (unit == "gb") mult = 1000ULL * 1000 * 1000;
    else if (unit == "tb") mult = 1000ULL * 1000 * 1000 * 1000;
    else if (unit == "k" || unit == "kib") mult = 1ULL << 10;
    else if (unit == "m" || unit == "mib") mult = 1ULL << 20;
    else if (unit == "g" || unit == "gib") mult = 1ULL << 30;
    else if (unit == "t" || unit == "tib") mult = 1ULL << 40;
    else return std::nullopt;
    if (*number > UINT64_MAX / mult) return std::nullopt;
    return *number * mult;
}

std::string format_size(uint64_t bytes) {
    static const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) return fmt::format("{} B", bytes);
    double v = static_cast<double>(bytes) / 1024;
    int u = 0;
    while (v >= 1024 && u < 3) { v /= 1024; ++u; }
    return fmt::format("{:.1f} {}", v, units[u]);
}

std::optional<unsigned> parse_percent(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.back() != '%') return std::nullopt;
    auto n = parse_uint(trim(text.substr(0, text.size() - 1)));
    if (!n || *n > 100) return std::nullopt;
    return static_cast<unsigned>(*n);
}

}  // namespace mogu::snap
