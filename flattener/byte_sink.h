// A stream of bytes flowing towards a blob: the tar writer feeds a compressor, which feeds a file.
#pragma once

#include <cstddef>

namespace mogu::flatten {

class ByteSink {
public:
    virtual ~ByteSink() = default;
    virtual void write(const void* data, size_t size) = 0;
    // Pushes everything out; no write may follow.
    virtual void finish() = 0;
};

}  // namespace mogu::flatten
