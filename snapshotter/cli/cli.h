// mogu-snapshotter's command line: each verb parses its arguments and calls the library.
#pragma once

#include "snapshotter/config.h"

#include <string>
#include <vector>

namespace mogu::snap::cli {

using Args = std::vector<std::string>;

int serve(const Config& c, const Args& args);
int pool(const Config& c, const Args& args);
int recover(const Config& c, const Args& args);
int snapshots(const Config& c, const Args& args);

}  // namespace mogu::snap::cli
