// mogu-flatten's work: read the image, merge the layers above --from into one, write the image.
#pragma once

#include "flattener/merge.h"
#include "flattener/options.h"

#include <cstdint>
#include <string>

namespace mogu::flatten {

struct Summary {
    size_t layers_before = 0;
    size_t layers_after = 0;
    size_t squashed = 0;
    uint64_t stored_in = 0;         // stored (compressed) bytes of the squashed layers
    uint64_t uncompressed_in = 0;   // their tar bytes
    uint64_t stored_out = 0;        // the new layer's blob
    uint64_t uncompressed_out = 0;  // the new layer's tar
    std::string layer_digest;
    std::string diff_id;
    std::string manifest_digest;
    MergeStats merge;
    double seconds = 0;
};

Summary flatten(const Options& opts);

// "Layers 13 -> 1, ..." lines for the user.
std::string format_summary(const Summary& s);

// Set by SIGINT/SIGTERM; the work stops at the next entry and cleans up.
void request_stop();

}  // namespace mogu::flatten
