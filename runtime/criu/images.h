// A checkpoint's image directory: criu's images plus descriptors.json, runc's record of the
// init's stdio at dump time (so a restore can hand the same pipes to criu as inherited fds).
// Images from runc and mogu are interchangeable.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace mogu::runtime::criu {

inline constexpr const char* kDescriptorsFile = "descriptors.json";

// What /proc/<pid>/fd/0..2 link to ("pipe:[1234]", "/dev/pts/0"), as runc records them; a file
// on a mount outside the container's mount namespace (the caller's /dev/null or log file) is
// recorded as criu's external key "file[<mnt_id>:<inode>]" instead (both hex), which checkpoint
// declares external and restore replaces with mogu's own stdio (runc ignores such entries).
std::vector<std::string> stdio_descriptors(pid_t pid);
void write_descriptors(const std::string& image_dir, const std::vector<std::string>& descriptors);

// Checks, before anything is created, that `image_dir` holds a checkpoint criu made (an
// inventory.img with criu's magic) and a readable descriptors.json; returns the descriptors.
// Errors name the directory and what is wrong with it.
std::vector<std::string> check_image_dir(const std::string& image_dir);

}  // namespace mogu::runtime::criu
