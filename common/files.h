// Small file-system helpers whose failures carry the path and errno.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace mogu {

std::string read_file(const std::string& path);
// nullopt when the file does not exist; other failures throw.
std::optional<std::string> read_file_if_exists(const std::string& path);
void write_file(const std::string& path, std::string_view data, mode_t mode = 0644);
// Writes to a temporary name of this process in the same directory and renames it over path:
// readers never see half a file, concurrent writers never mix theirs (no fsync: state lives in /run).
void write_file_atomic(const std::string& path, std::string_view data, mode_t mode = 0644);
// Writes to an existing file without creating or truncating it (cgroup and /proc knobs).
void write_existing(const std::string& path, std::string_view data);
void mkdir_p(const std::string& path, mode_t mode = 0755);
bool path_exists(const std::string& path);
// Removes a directory tree; a missing path is not an error.
void remove_tree(const std::string& path);

std::string path_join(std::string_view a, std::string_view b);
std::string dirname_of(const std::string& path);
std::string basename_of(const std::string& path);

// The program `name` as execvp would find it: itself when it holds a '/', else the first
// executable file of that name in $PATH's directories (empty entries skipped; a standard list
// when PATH is unset). "" when there is none.
std::string find_executable(const std::string& name);

}  // namespace mogu
