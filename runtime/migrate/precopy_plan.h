// When pre-copy stops pre-dumping: each pre-dump sends the pages dirtied since the previous one,
// so while the dirty set shrinks another round shortens the final (frozen) dump. A pure function
// of the bytes sent so far, tested on its own.
#pragma once

#include <cstdint>
#include <vector>

namespace mogu::runtime::migrate {

struct PrecopyLimits {
    int max_iterations = 5;                   // pre-dumps at most (0: stop-and-copy)
    double shrink = 0.8;                      // go on only while a round sent at most this much of the one before
    uint64_t small_enough = uint64_t{256} << 10;  // a round under this leaves little for the final dump
};

// Whether to pre-dump once more after rounds that sent `sent` bytes of pages (oldest first).
// The first round always runs (when max_iterations > 0), and a second after it unless the first
// was small enough: the first sends all memory, the second is the first measure of the dirty set.
bool another_pre_dump(const std::vector<uint64_t>& sent, const PrecopyLimits& limits);

}  // namespace mogu::runtime::migrate
