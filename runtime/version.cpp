#include "runtime/version.h"

#include <fmt/core.h>
#include <seccomp.h>

namespace mogu {

std::string version_text() {
    const scmp_version* v = seccomp_version();
    return fmt::format("mogu version {}\nspec: {}\nlibseccomp: {}.{}.{}\n", kMoguVersion, kOciSpecVersion, v->major, v->minor, v->micro);
}

}  // namespace mogu
