// The long-lived shim process: the Task service on its ttrpc socket until Shutdown.
#pragma once

#include "common/fd.h"
#include "shim/commands.h"

namespace mogu::shim {

// Never returns to the caller's code path in the parent: run in the forked daemon only.
int serve(const ShimFlags& flags, UniqueFd listener, const std::string& address);

}  // namespace mogu::shim
