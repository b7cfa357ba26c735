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
// How a file's text comes out of the kernel. Every cgroup file is a seq_file. One whose whole
// text is printed at once (a value, a key-value list, a device's lines in blkio's files) fills a
// read up to the read's size unless it ends first, so a short read is its end: the read that
// would return 0 is skipped, one system call per file (mogu top reads about ten files per
// container at every refresh). One of many records (cgroup.procs: a pid each) may end a read
// short where the next record did not fit, so it is read to the end.
enum class Records { one, many };

std::string read(const std::string& dir, const std::string& file, Records records = Records::many);
std::optional<std::string> read_if_exists(const std::string& dir, const std::string& file, Records records = Records::many);
bool exists(const std::string& dir, const std::string& file);
// A single number; "max" reads as UINT64_MAX. Errors name the file and the text found. (One record.)
uint64_t read_u64(const std::string& dir, const std::string& file);
uint64_t parse_u64(const std::string& text, const std::string& where);
// "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control). (One record.)
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
