// What a Checkpoint call asks for: containerd's CheckpointOptions (runc's option names) read from
// the request's Any, and the runtime's `checkpoint` flags they stand for.
#pragma once

#include "shim/proto/messages.h"

#include <string>
#include <vector>

namespace mogu::shim {

struct CheckpointSettings {
    bool exit = false;  // false: the container keeps running (criu's leave-running)
    bool open_tcp = false;
    bool external_unix_sockets = false;
    bool terminal = false;  // a terminal from outside: criu's shell job
    bool file_locks = false;
    std::vector<std::string> empty_namespaces;
    std::string cgroups_mode;
    std::string work_path;  // empty: a directory in the bundle, removed afterwards
};

// No options (null, or an empty Any, as ctr sends for a runtime that is not runc's): leave running, nothing else.
// Another message type is refused with an error naming it.
CheckpointSettings checkpoint_settings_from_any(const pb::wkt::Any* any);

// `--image-path IMAGES --work-path WORK [--leave-running] [--tcp-established] ...`
std::vector<std::string> checkpoint_args(const CheckpointSettings& s, const std::string& images, const std::string& work);

}  // namespace mogu::shim
