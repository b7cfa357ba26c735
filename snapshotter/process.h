// Runs a helper program (mkfs.ext4, thin_dump) and returns its stdout; a failure throws with its
// exit status and the last lines of its stderr.
#pragma once

#include <string>
#include <vector>

namespace mogu::snap {

std::string run_program(const std::vector<std::string>& argv);

}  // namespace mogu::snap
