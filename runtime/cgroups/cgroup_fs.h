// Reading and writing cgroup interface files and directories. Every error names the file, the
// value and errno: write "100" to /sys/fs/cgroup/memory/x/memory.limit_in_bytes: Device or resource busy.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mogu::cgroups::fs {

// One write(2) of `value` to <dir>/<file>; the file must exist (no O_CREAT, no O_TRUNC).
void write(const std::string& dir, const std::string& file, std::string_view value);
// Like write(), but returns errno instead of throwing (0 on success).
int try_write(const std::string& dir, const std::string& file, std::string_view value);
std::string read(const std::string& dir, const std::string& file);
std::optional<std::string> read_if_exists(const std::string& dir, const std::string& file);
bool exists(const std::string& dir, const std::string& file);
// A single number; "max" reads as UINT64_MAX. Errors name the file and the text found.
uint64_t read_u64(const std::string& dir, const std::string& file);
uint64_t parse_u64(const std::string& text, const std::string& where);
// "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control).
std::map<std::string, uint64_t> parse_keyed(const std::string& text);
std::map<std::string, uint64_t> read_keyed(const std::string& dir, const std::string& file);

// mkdir -p of <mount_point><cgroup>; returns the directories it made, outermost first.
// On failure, removes what it made before throwing.
std::vector<std::string> make_dirs(const std::string& mount_point, const std::string& cgroup);
// Removes directories made by make_dirs, innermost first; best effort (never throws). `leaf` (the
// container's directory) goes with its sub-cgroups; the parents only if empty.
void remove_made_dirs(const std::vector<std::string>& made, const std::string& leaf) noexcept;
// Removes a cgroup directory and every cgroup below it, innermost first, retrying EBUSY briefly
// while exiting processes leave. A missing directory is fine.
void remove_tree(const std::string& dir);
// Writes a pid to <dir>/cgroup.procs, retrying EINVAL briefly (a task still being forked).
void write_pid(const std::string& dir, pid_t pid);
// v1 only: moves the calling thread (the whole process when single-threaded) into `dir`.
void write_self_task(const std::string& dir);
// Every pid in cgroup.procs of `dir` and of the cgroups below it.
std::vector<pid_t> procs_recursive(const std::string& dir);

}  // namespace mogu::cgroups::fs
