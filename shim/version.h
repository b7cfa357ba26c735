#pragma once

namespace mogu::shim {
inline constexpr const char* kShimVersion = "0.1.0";
inline constexpr const char* kShimName = "containerd-shim-mogu-v2";
}  // namespace mogu::shim
