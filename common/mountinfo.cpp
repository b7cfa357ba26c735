#include "common/mountinfo.h"

#include "common/strings.h"

#include <algorithm>
#include <charconv>

namespace mogu {
namespace {

// mountinfo writes space, tab, newline and backslash in paths as \ooo.
std::string unescape(std::string_view s) {
    auto octal = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

int parse_int_or(const std::string& s, int fallback) {
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size() ? v : fallback;
}

}  // namespace

std::vector<MountInfoEntry> parse_mountinfo(const std::string& text) {
    std::vector<MountInfoEntry> out;
    for (auto& line : split(text, '\n')) {
        if (line.empty()) continue;
        auto f = split(line, ' ');
        // id parent maj:min root mount_point options [optional fields...] - fstype source super_options
        auto sep = std::find(f.begin() + std::min<size_t>(6, f.size()), f.end(), "-");
        if (f.size() < 10 || sep == f.end() || f.end() - sep < 4) continue;
        MountInfoEntry e;
        e.id = parse_int_or(f[0], -1);
        e.parent_id = parse_int_or(f[1], -1);
        e.root = unescape(f[3]);
        e.mount_point = unescape(f[4]);
        e.fs_type = sep[1];
        e.source = unescape(sep[2]);
        e.super_options = sep[3];
        e.optional_fields.assign(f.begin() + 6, sep);
        out.push_back(std::move(e));
    }
    return out;
}

bool MountInfoEntry::shared() const {
    return std::any_of(optional_fields.begin(), optional_fields.end(), [](const std::string& f) { return f.starts_with("shared:"); });
}

bool MountInfoEntry::unbindable() const {
    return std::find(optional_fields.begin(), optional_fields.end(), "unbindable") != optional_fields.end();
}

bool path_is_under(const std::string& path, const std::string& dir) {
    if (dir == "/" || path == dir) return true;
    return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

}  // namespace mogu
