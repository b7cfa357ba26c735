#include "runtime/cli/command.h"

namespace mogu::cli {

const std::vector<const Command*>& all_commands() {
#define MOGU_ADDRESS(name) &name##_command,
    static const std::vector<const Command*> commands = {MOGU_COMMANDS(MOGU_ADDRESS)};
#undef MOGU_ADDRESS
    return commands;
}

}  // namespace mogu::cli
