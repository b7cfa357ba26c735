// Compressors for the new layer: none, gzip (parallel 1 MiB blocks as gzip members) and zstd
// (libzstd's worker threads). Each is a ByteSink in front of another sink. The output depends on
// the input and the level only, never on the thread count, so flattening is reproducible.
#pragma once

#include "flattener/byte_sink.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mogu::flatten {

enum class Compression { gzip, zstd, none };

std::optional<Compression> parse_compression(std::string_view name);
std::string_view compression_name(Compression c);
int default_level(Compression c);
// OCI media type of a layer with this compression.
std::string oci_layer_media_type(Compression c);

// threads: worker threads for gzip/zstd (at least one is used).
std::unique_ptr<ByteSink> make_compressor(Compression c, int level, int threads, ByteSink& out);

std::unique_ptr<ByteSink> make_parallel_gzip(int level, int threads, ByteSink& out);
std::unique_ptr<ByteSink> make_zstd(int level, int threads, ByteSink& out);

}  // namespace mogu::flatten
