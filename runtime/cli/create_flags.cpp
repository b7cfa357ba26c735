#include "runtime/cli/create_flags.h"

#include "common/error.h"
#include "common/strings.h"

#include <cstdlib>

namespace mogu::cli {

std::vector<FlagSpec> create_flags() {
    return {
        {{"bundle", "b"}, true, false, "path to the root of the bundle directory (default: current directory)"},
        {{"console-socket"}, true, false, "path to an AF_UNIX socket that receives the pty master of a terminal container"},
        {{"pid-file"}, true, false, "file to write the container's init pid to"},
        {{"no-pivot"}, false, false, "do not use pivot_root (for a rootfs on a ramdisk)"},
        {{"no-new-keyring"}, false, false, "do not create a new session keyring for the container"},
        {{"preserve-fds"}, true, false, "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N)"},
    };
}

runtime::CreateOptions create_options_from(const Args& a) {
    runtime::CreateOptions o;
    o.id = a.positional().at(0);
    o.bundle = a.value_or("bundle", ".");
    o.console_socket = a.value_or("console-socket", "");
    o.pid_file = a.value_or("pid-file", "");
    o.no_pivot = a.flag("no-pivot");
    o.no_new_keyring = a.flag("no-new-keyring");
    // fd numbers are ints and far below this; anything larger is a mistake, not a request.
    constexpr int64_t kMaxFds = 1 << 20;
    int64_t preserve = a.int_value("preserve-fds").value_or(0);
    if (preserve < 0 || preserve > kMaxFds) throw UsageError("--preserve-fds must be between 0 and {}, not {}", kMaxFds, preserve);
    // Socket-activated services hand their listeners on as $LISTEN_FDS, after stdio.
    if (const char* listen = std::getenv("LISTEN_FDS")) {
        auto n = parse_int(listen);
        if (!n || *n < 0 || *n > kMaxFds) throw UsageError("$LISTEN_FDS must be a number between 0 and {}, not \"{}\"", kMaxFds, listen);
        preserve += *n;
    }
    o.preserve_fds = static_cast<int>(preserve);
    return o;
}

}  // namespace mogu::cli
