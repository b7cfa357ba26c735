// Flags shared by create and run.
#pragma once

#include "common/cli_args.h"
#include "runtime/runtime.h"

namespace mogu::cli {

std::vector<FlagSpec> create_flags();
runtime::CreateOptions create_options_from(const Args& a);

}  // namespace mogu::cli
