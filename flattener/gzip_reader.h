// gzip decompression through ISA-L's inflate (igzip), about five times zlib's speed here: reading
// the input layers is most of what a flatten does when the layers above drop much of the data.
// Reads every member of a multi-member file; zero padding after the last member is allowed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

struct inflate_state;

namespace mogu::flatten {

class GzipReader {
public:
    // `fill` provides the next stored bytes (0 at the end). `first` holds bytes already read.
    using Fill = std::function<size_t(const unsigned char** data)>;
    explicit GzipReader(Fill fill);
    ~GzipReader();
    GzipReader(const GzipReader&) = delete;
    GzipReader& operator=(const GzipReader&) = delete;

    // Up to `cap` uncompressed bytes; 0 at the end. Corrupt or truncated data throws Error.
    size_t read(unsigned char* out, size_t cap);

private:
    bool next_input();
    Fill fill_;
    std::unique_ptr<inflate_state> state_;
    bool eof_ = false;           // no more stored bytes
    bool member_done_ = false;   // between two members
    bool done_ = false;
};

}  // namespace mogu::flatten
