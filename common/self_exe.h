// The path of the running binary, as /proc/self/exe names it, for finding the binaries installed
// beside it (the shim's mogu, mogu's mogu-vm, mogu-vm's agent).
#pragma once

#include <string>

namespace mogu {

// The running binary's path. A binary replaced while it runs (a package upgrade renames the new
// file over the old one) is still the old inode: the kernel then appends " (deleted)" to the link,
// which is dropped here so that the directory and the name stay those it was installed as.
// Empty when /proc/self/exe cannot be read.
std::string self_exe_path();

// The directory of self_exe_path(), or `fallback` when it cannot be read.
std::string self_exe_dir(const std::string& fallback = "");

}  // namespace mogu
