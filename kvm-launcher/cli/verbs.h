// The mogu-vm verbs: each turns parsed flags into one call of kvm-launcher/sandbox.h.
#pragma once

#include "kvm-launcher/sandbox.h"
#include "common/cli_args.h"

#include <vector>

namespace mogu::vmcli {

inline constexpr const char* kVersion = "0.1.0";

struct Verb {
    const char* name;
    const char* usage;
    const char* summary;
    std::vector<cli::FlagSpec> flags;
    int (*run)(const vm::Context& ctx, const cli::Args& args);
};

const std::vector<Verb>& verbs();

}  // namespace mogu::vmcli
