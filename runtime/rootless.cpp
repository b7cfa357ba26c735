#include "runtime/rootless.h"

#include <unistd.h>

#include <cstdlib>

namespace mogu::runtime {

bool running_rootless() { return ::geteuid() != 0; }

std::string default_state_root() {
    if (!running_rootless()) return "/run/mogu";
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg) return std::string(xdg) + "/mogu";
    return "/run/user/" + std::to_string(::geteuid()) + "/mogu";
}

}  // namespace mogu::runtime
