// Sizes as people write them in configs ("10GB", "512MiB", "64KiB", "4096") and print them back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mogu::snap {

// Decimal (kB MB GB TB: powers of 1000, as containerd's base_image_size) and binary (KiB MiB GiB
// TiB, and K M G T) suffixes; a bare number is bytes. nullopt on junk or overflow.
std::optional<uint64_t> parse_size(std::string_view text);
// "1.5 GiB", "512.0 MiB", "4096 B".
std::string format_size(uint64_t bytes);
// "90%" -> 90; nullopt unless 0..100.
std::optional<unsigned> parse_percent(std::string_view text);

}  // namespace mogu::snap
