// Tar entry names as the merge sees them: "a/b/c" without leading "/" or "./", "" for the root.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mogu::flatten {

// Removes leading slashes, "." components and empty components, and folds ".." into its parent.
// nullopt when a ".." would climb above the root (the entry would land outside the image).
std::optional<std::string> normalize_entry_path(std::string_view name);

// "a/b" -> "a", "a" -> "", "" -> "".
std::string_view parent_of(std::string_view path);
// "a/b" -> "b".
std::string_view base_of(std::string_view path);
std::string child_path(std::string_view dir, std::string_view name);

inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
// Other ".wh..wh." names are AUFS bookkeeping (hardlink directories); extractors ignore them.
inline constexpr std::string_view kWhiteoutMetaPrefix = ".wh..wh.";

}  // namespace mogu::flatten
