// What the user asked mogu-flatten to do, as parsed by the CLI.
#pragma once

#include "flattener/compress.h"
#include "flattener/image.h"

#include <optional>
#include <string>

namespace mogu::flatten {

struct Options {
    std::string input;
    std::string output;
    std::string ref;
    std::optional<ImageFormat> format;  // default: the input's
    std::optional<bool> output_tar;     // default: like the input (directory or tar)
    int from = 0;                       // layers kept as they are
    Compression compression = Compression::gzip;
    std::optional<int> level;
    int threads = 0;                    // 0: one per CPU
    bool keep_history = false;
    bool quiet = false;
    bool progress = true;               // on a terminal only
};

}  // namespace mogu::flatten
