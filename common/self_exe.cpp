#include "common/self_exe.h"

#include "common/files.h"

#include <unistd.h>

#include <climits>

namespace mogu {

std::string self_exe_path() {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf);
    if (n <= 0 || size_t(n) >= sizeof buf) return "";
    std::string path(buf, size_t(n));
    constexpr std::string_view kDeleted = " (deleted)";
    if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
    return path;
}

std::string self_exe_dir(const std::string& fallback) {
    std::string path = self_exe_path();
    return path.empty() ? fallback : dirname_of(path);
}

}  // namespace mogu
