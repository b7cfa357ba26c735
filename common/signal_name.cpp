#include "common/signal_name.h"

#include "common/error.h"
#include "common/strings.h"

#include <signal.h>
#include <string.h>

#include <algorithm>

namespace mogu::cli {

int parse_signal(const std::string& s) {
    if (auto n = parse_int(s)) {
        // 0 sends nothing and only checks that the container runs, as kill(2) does.
        if (*n < 0 || *n >= NSIG) throw UsageError("kill: invalid signal number {}", s);
        return static_cast<int>(*n);
    }
    std::string name = s;
    std::transform(name.begin(), name.end(), name.begin(), ::toupper);
    if (name.starts_with("SIG")) name = name.substr(3);
    for (int sig = 1; sig < NSIG; ++sig) {
        const char* abbrev = sigabbrev_np(sig);
        if (abbrev && name == abbrev) return sig;
    }
    if (name.starts_with("RTMIN") || name.starts_with("RTMAX")) {
        int base = name[2] == 'M' && name[3] == 'I' ? SIGRTMIN : SIGRTMAX;
        std::string rest = name.substr(5);
        if (rest.empty()) return base;
        if (rest[0] == '+') rest = rest.substr(1);
        if (auto off = parse_int(rest); off && *off >= SIGRTMIN - base && *off <= SIGRTMAX - base) return static_cast<int>(base + *off);
    }
    throw UsageError("kill: unknown signal \"{}\"", s);
}

}  // namespace mogu::cli
