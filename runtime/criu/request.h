// What checkpoint and restore ask of criu alike: the directories, runc's defaults, the options
// both verbs take, and criu's failure turned into an error with its reason and its log's path.
#pragma once

#include "common/fd.h"
#include "runtime/criu/swrk.h"
#include "runtime/runtime.h"

#include <string>

namespace mogu::runtime::criu {

struct Directories {
    std::string images, work;  // absolute
    UniqueFd images_fd, work_fd;
};
// Makes the image directory (0700) when `create`, else it must exist; the work directory
// defaults to it. Relative paths are taken from the current directory, as runc does.
Directories open_directories(const CriuOptions& o, bool create);

// --lazy-pages: parsed, refused until it is built; --page-server outside checkpoint too.
void refuse_unsupported(const CriuOptions& o, const char* verb);

// Fills the options both verbs share (runc's choices: log level 4, notify scripts, orphan pts
// master, managed cgroups) and the user's flags. `log_file` is relative to the work directory.
void fill_common(rpc::criu_opts& opts, const CriuOptions& o, const Directories& dirs, const char* log_file);

// "criu dump failed: <criu's reason>; see <work>/dump.log" with the log's last error lines.
[[noreturn]] void throw_criu_failure(const rpc::criu_resp& resp, const char* what, const std::string& log_path);

}  // namespace mogu::runtime::criu
