#pragma once

namespace mogu::runtime {

// Sets "lo" up in a new network namespace (it starts down), as runc does.
void bring_up_loopback();

}  // namespace mogu::runtime
