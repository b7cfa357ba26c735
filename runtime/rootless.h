// Running mogu as an ordinary user (with a user namespace), as runc and crun allow.
#pragma once

#include "common/oci/spec.h"

#include <string>

namespace mogu::runtime {

bool running_rootless();
// Where state goes by default: /run/mogu for root, $XDG_RUNTIME_DIR/mogu (or /run/user/UID/mogu) otherwise.
std::string default_state_root();

}  // namespace mogu::runtime
