// toml++ (header-only) as every part of mogu includes it. The library checks its own state
// with TOML_ASSERT: by default assert(), which aborts the process, or, with NDEBUG, a compiler
// assumption, which is undefined behaviour when wrong. toml++ 3.3 (Debian 12) reaches one on
// input as plain as a table header `[~host]` (fuzz-monitor_config found it): a typo in a config
// file must be an error naming the file, not a crashed daemon. So here a failed check throws.
#pragma once

#include <stdexcept>
#include <string>

namespace mogu {

struct TomlCheckFailed : std::logic_error {
    using std::logic_error::logic_error;
};
[[noreturn]] void toml_check_failed(const char* check);
// Where toml++ says a point cannot be reached (__builtin_unreachable() by default, undefined
// behaviour if it is): a message and abort(), in noexcept code where nothing can be thrown.
// parse_toml keeps the inputs known to get there away from it (common/toml.cpp).
[[noreturn]] void toml_unreachable(const char* file, int line) noexcept;

}  // namespace mogu

// NDEBUG would turn the checks into assumptions whatever TOML_ASSERT says: kept away from it.
#pragma push_macro("NDEBUG")
#undef NDEBUG
#undef TOML_ASSERT
#define TOML_ASSERT(expr) ((expr) ? static_cast<void>(0) : ::mogu::toml_check_failed(#expr))
#include <toml++/impl/preprocessor.h>  // once: toml.h's own include of it changes nothing after this
#undef TOML_UNREACHABLE
#define TOML_UNREACHABLE ::mogu::toml_unreachable(__FILE__, __LINE__)
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")

namespace mogu {

// `text` parsed as TOML; every failure is a mogu::Error "SOURCE:LINE:COLUMN: what" (or
// "SOURCE: ..." when toml++ stopped on a check of its own, with no position).
toml::table parse_toml(const std::string& text, const std::string& source);

}  // namespace mogu
