#pragma once

#include <string>

namespace mogu {

inline constexpr const char* kMoguVersion = "0.1.0";
inline constexpr const char* kOciSpecVersion = "1.0.2";
// What `mogu --version` prints: mogu, the spec it implements, libseccomp.
std::string version_text();

}  // namespace mogu
