// Containers that ask for a VM (annotation io.mogu.isolation=vm) are run by mogu-vm
// (kvm-launcher/), whose command line is this one's. A verb about such a container, or a
// create/run of such a bundle, replaces this process with mogu-vm and the same arguments.
#pragma once

#include "common/cli_args.h"
#include "runtime/runtime.h"

#include <string>
#include <vector>

namespace mogu::cli {

// Returns when the container is not a VM's; otherwise execs mogu-vm (beside this binary, else
// on PATH) or throws naming why it could not.
void dispatch_vm_container(const std::vector<std::string>& argv, const runtime::Context& ctx, const Args& verb);

}  // namespace mogu::cli
