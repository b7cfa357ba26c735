// Whole-buffer decompression of the formats Debian's kernels and modules use (xz, gzip, zstd),
// through liblzma, zlib and libzstd. Used to find the ELF kernel inside a bzImage and to unpack
// compressed modules for the initramfs.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mogu::vm {

enum class Compression { xz, gzip, zstd };

// Decodes the one stream that starts at `data` (trailing bytes after it are ignored). nullopt
// when the bytes are not a valid stream; the output is capped at max_out bytes.
std::optional<std::string> decompress(Compression c, std::string_view data, size_t max_out = size_t(1) << 30);

// The ELF image inside a bzImage: each compressed stream's magic is tried in turn, as the
// kernel's scripts/extract-vmlinux does; nullopt when none decodes to an ELF file.
std::optional<std::string> extract_elf_kernel(std::string_view bzimage);

}  // namespace mogu::vm
