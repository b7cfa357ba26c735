// /proc/<pid>/mountinfo, parsed. Field layout: proc(5), "/proc/[pid]/mountinfo".
#pragma once

#include <string>
#include <vector>

namespace mogu {

// One line, with the octal escapes of paths (\040 for a space) decoded.
struct MountInfoEntry {
    int id = -1, parent_id = -1;
    std::string root, mount_point, fs_type, source, super_options;
    std::vector<std::string> optional_fields;  // propagation: "shared:N", "master:N", "unbindable"

    bool shared() const;
    bool unbindable() const;
};

// Malformed lines are skipped.
std::vector<MountInfoEntry> parse_mountinfo(const std::string& text);

// Whether `path` is `dir` or lies below it ("/a/b" is under "/a", "/ab" is not).
bool path_is_under(const std::string& path, const std::string& dir);

}  // namespace mogu
