#include "flattener/entry_path.h"

#include <vector>

namespace mogu::flatten {

std::optional<std::string> normalize_entry_path(std::string_view name) {
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i <= name.size()) {
        size_t j = name.find('/', i);
        if (j == std::string_view::npos) j = name.size();
        std::string_view part = name.substr(i, j - i);
        if (part == "..") {
            if (parts.empty()) return std::nullopt;
            parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = j + 1;
    }
    std::string out;
    for (auto p : parts) {
        if (!out.empty()) out += '/';
        out += p;
    }
    return out;
}

std::string_view parent_of(std::string_view path) {
    size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view base_of(std::string_view path) {
    size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string child_path(std::string_view dir, std::string_view name) {
    if (dir.empty()) return std::string(name);
    std::string out(dir);
    out += '/';
    out += name;
    return out;
}

}  // namespace mogu::flatten
