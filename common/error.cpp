#include "common/error.h"

#include <cstring>

namespace mogu {

std::string SysError::compose(int err, const std::string& what) {
    return what + ": " + std::strerror(err);
}

std::string SpecError::compose(const std::string& path, const std::string& what) {
    return path.empty() ? what : path + ": " + what;
}

std::string errno_name(int err) {
    const char* name = strerrorname_np(err);
    return name ? name : std::to_string(err);
}

}  // namespace mogu
