#include "common/failpoint.h"

#include "common/error.h"
#include "common/log.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

namespace mogu {
namespace {

// The action MOGU_FAILPOINT gives `name`, or empty when it names it not.
std::string_view action_for(std::string_view spec, std::string_view name) {
    while (!spec.empty()) {
        size_t comma = spec.find(',');
        std::string_view item = spec.substr(0, comma);
        spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
        size_t colon = item.find(':');
        if (item.substr(0, colon) != name) continue;
        return colon == std::string_view::npos ? std::string_view("kill") : item.substr(colon + 1);
    }
    return {};
}

// MOGU_FAILPOINT, or else the first line of the file MOGU_FAILPOINT_FILE names.
std::string current_spec() {
    if (const char* spec = std::getenv("MOGU_FAILPOINT")) return spec;
    const char* file = std::getenv("MOGU_FAILPOINT_FILE");
    if (!file) return {};
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

void failpoint_hit(const char* name) {
    std::string spec = current_spec();
    if (spec.empty()) return;
    std::string_view action = action_for(spec, name);
    if (action.empty()) return;
    if (action == "kill") {
        log::warn("failpoint {}: SIGKILL", name);
        ::kill(::getpid(), SIGKILL);
        ::_exit(137);  // not reached
    }
    if (action == "pause") {
        log::warn("failpoint {}: paused until MOGU_FAILPOINT_FILE no longer names it", name);
        for (int i = 0; i < 600 && !action_for(current_spec(), name).empty(); ++i) ::usleep(100 * 1000);
        return;
    }
    int err = action == "enospc" ? ENOSPC : action == "emfile" ? EMFILE : action == "eintr" ? EINTR : 0;
    if (err == 0) throw Error("MOGU_FAILPOINT: unknown action \"{}\" for {} (kill, enospc, emfile, eintr or pause)", action, name);
    throw SysError(err, "failpoint {}", name);
}

}  // namespace mogu
