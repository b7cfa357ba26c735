// One CLI verb: its flags and the function that turns parsed flags into a runtime call.
#pragma once

#include "runtime/cli/args.h"
#include "runtime/runtime.h"

#include <string>
#include <vector>

namespace mogu::cli {

struct Command {
    const char* name;
    const char* usage;    // "create [command options] <container-id>"
    const char* summary;
    std::vector<FlagSpec> flags;
    int (*run)(const runtime::Context& ctx, const Args& args);
};

// Every verb, in the order `mogu --help` lists them.
const std::vector<const Command*>& all_commands();

#define MOGU_COMMANDS(X) \
    X(checkpoint) X(create) X(delete) X(events) X(exec) X(features) X(kill) X(list) X(pause) X(ps) \
    X(restore) X(resume) X(run) X(spec) X(start) X(state) X(update)

#define MOGU_DECLARE(name) extern const Command name##_command;
MOGU_COMMANDS(MOGU_DECLARE)
#undef MOGU_DECLARE

}  // namespace mogu::cli
