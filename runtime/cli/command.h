// One CLI verb: its flags and the function that turns parsed flags into a runtime call.
#pragma once

#include "common/cli_args.h"
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
    // exec and ps take a command line after the id: their flags must come before it.
    FlagPlacement flag_placement = FlagPlacement::anywhere;
    // What runc exits with, and puts before the message, when the verb fails (not for a bad
    // command line, which is 1): exec fails with 255, "exec failed: ...", and go-runc and
    // Docker tell a failed exec from the process's own exit status by it.
    int failure_exit_code = 1;
    const char* failure_prefix = "";
};

// Every verb, in the order `mogu --help` lists them.
const std::vector<const Command*>& all_commands();

#define MOGU_COMMANDS(X) \
    X(check) X(checkpoint) X(create) X(delete) X(events) X(exec) X(features) X(kill) X(list) X(lxcfs) X(migrate) X(pause) X(ps) \
    X(restore) X(resume) X(run) X(spec) X(start) X(state) X(stats) X(top) X(tune) X(update)

#define MOGU_DECLARE(name) extern const Command name##_command;
MOGU_COMMANDS(MOGU_DECLARE)
#undef MOGU_DECLARE

}  // namespace mogu::cli
