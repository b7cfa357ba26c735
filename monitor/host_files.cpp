#include "monitor/host_files.h"

#include "common/strings.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <map>

namespace mogu::monitor {
namespace {

// Whitespace-separated words of one line.
std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

std::optional<double> parse_double(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::string copy(s);
    char* end = nullptr;
    double d = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) return std::nullopt;
    return d;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' &&
            s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

std::optional<LoadAvg> parse_loadavg(std::string_view text) {
    auto w = words(trim(text));
    if (w.size() < 4) return std::nullopt;
    LoadAvg l;
    auto a = parse_double(w[0]), b = parse_double(w[1]), c = parse_double(w[2]);
    auto slash = w[3].find('/');
    if (!a || !b || !c || slash == std::string_view::npos) return std::nullopt;
    auto r = parse_uint(w[3].substr(0, slash)), t = parse_uint(w[3].substr(slash + 1));
    if (!r || !t) return std::nullopt;
    l.load1 = *a;
    l.load5 = *b;
    l.load15 = *c;
    l.runnable = *r;
    l.threads = *t;
    return l;
}

std::optional<FileNr> parse_file_nr(std::string_view text) {
    auto w = words(trim(text));
    if (w.size() != 3) return std::nullopt;
    auto a = parse_uint(w[0]), u = parse_uint(w[1]), m = parse_uint(w[2]);
    if (!a || !u || !m) return std::nullopt;
    return FileNr{*a, *u, *m};
}

std::string snake_case(std::string_view field) {
    auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    // Words start at an upper-case letter after a lower-case one ("mA" in MemAvailable); runs of
    // capitals and digits stay in their word (SUnreclaim, DirectMap2M), and so do the short
    // words Prometheus reads as abbreviated units ("s", "m", "sec", ...).
    std::vector<std::string> words{""};
    for (size_t i = 0; i < field.size(); ++i) {
        char c = field[i];
        if (c == '_') {
            if (!words.back().empty()) words.emplace_back();
            continue;
        }
        if (i > 0 && upper(c) && lower(field[i - 1]) && !words.back().empty()) words.emplace_back();
        words.back() += upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
    }
    static const std::map<std::string, std::string> spelled_out = {{"sec", "secondary"}};
    static const char* unit_like[] = {"s", "ms", "us", "ns", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d"};
    std::string out;
    bool glue = false;
    for (auto w : words) {
        if (w.empty()) continue;
        if (auto it = spelled_out.find(w); it != spelled_out.end()) w = it->second;
        if (!out.empty() && !glue) out += '_';
        out += w;
        glue = std::find(std::begin(unit_like), std::end(unit_like), w) != std::end(unit_like);
    }
    return out;
}

std::vector<MeminfoField> parse_meminfo(std::string_view text) {
    std::vector<MeminfoField> out;
    for (auto line : lines(text)) {
        auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) continue;
        auto w = words(line.substr(colon + 1));
        if (w.empty() || w.size() > 2) continue;
        auto v = parse_uint(w[0]);
        if (!v) continue;
        MeminfoField f;
        // node-exporter: "Active(anon)" -> "Active_anon"
        for (char c : line.substr(0, colon)) {
            if (c == '(') f.name += '_';
            else if (c != ')') f.name += c;
        }
        if (w.size() == 2) {
            if (w[1] != "kB") continue;
            f.bytes = true;
            f.value = *v * 1024;
        } else {
            f.value = *v;
        }
        out.push_back(std::move(f));
    }
    return out;
}

Sockstat parse_sockstat(std::string_view text) {
    Sockstat out;
    for (auto line : lines(text)) {
        auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) continue;
        std::string proto(line.substr(0, colon));
        auto w = words(line.substr(colon + 1));
        for (size_t i = 0; i + 1 < w.size(); i += 2) {
            auto v = parse_uint(w[i + 1]);
            if (v) out[proto][std::string(w[i])] = *v;
        }
    }
    return out;
}

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
    // 36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
    std::vector<MountEntry> out;
    for (auto line : lines(text)) {
        auto w = words(line);
        if (w.size() < 7) continue;
        size_t dash = 6;
        while (dash < w.size() && w[dash] != "-") ++dash;
        if (dash + 2 >= w.size()) continue;
        auto colon = w[2].find(':');
        if (colon == std::string_view::npos) continue;
        auto ma = parse_uint(w[2].substr(0, colon)), mi = parse_uint(w[2].substr(colon + 1));
        if (!ma || !mi) continue;
        out.push_back(MountEntry{*ma, *mi, unescape_octal(w[4]), unescape_octal(w[dash + 1]), unescape_octal(w[dash + 2])});
    }
    return out;
}

const MountEntry* mount_of(const std::vector<MountEntry>& mounts, const std::string& path, uint64_t major, uint64_t minor) {
    const MountEntry* best = nullptr;
    bool best_same_dev = false;
    for (const auto& m : mounts) {
        const auto& mp = m.mountpoint;
        bool holds = mp == "/" || path == mp || (path.size() > mp.size() && path.compare(0, mp.size(), mp) == 0 && path[mp.size()] == '/');
        if (!holds) continue;
        bool same_dev = m.major == major && m.minor == minor;
        if (best) {
            // A mount of the path's own device beats one of another; then the longer mount
            // point; then the later entry (mounted on top).
            if (best_same_dev && !same_dev) continue;
            if (best_same_dev == same_dev && mp.size() < best->mountpoint.size()) continue;
        }
        best = &m;
        best_same_dev = same_dev;
    }
    return best;
}

std::optional<uint64_t> parse_stat_start_ticks(std::string_view stat) {
    auto close = stat.rfind(')');
    if (close == std::string_view::npos) return std::nullopt;
    // After ") ": field 3 (state) onwards; starttime is field 22, the 20th of these.
    auto w = words(stat.substr(close + 1));
    if (w.size() < 20) return std::nullopt;
    return parse_uint(w[19]);
}

std::optional<uint64_t> parse_boot_time(std::string_view proc_stat) {
    for (auto line : lines(proc_stat)) {
        if (line.substr(0, 6) != "btime ") continue;
        return parse_uint(trim(line.substr(6)));
    }
    return std::nullopt;
}

}  // namespace mogu::monitor
