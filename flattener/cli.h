// mogu-flatten's command line: flags to Options, nothing else.
#pragma once

#include "flattener/options.h"

#include <string>
#include <vector>

namespace mogu::flatten {

// Throws UsageError naming the bad flag or value. nullopt for --help (usage already printed).
std::optional<Options> parse_args(const std::vector<std::string>& args);
std::string usage();

}  // namespace mogu::flatten
