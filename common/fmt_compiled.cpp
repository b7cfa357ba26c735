// libfmt's compiled half (fmt::vformat and friends), built from Debian's own header so every
// binary can be linked statically: Debian ships libfmt only as a shared library (and each shared
// library costs start-up time and resident memory).
#include <fmt/format-inl.h>

// The instantiations libfmt's format.cc provides for char.
FMT_BEGIN_NAMESPACE
namespace detail {
template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template auto decimal_point_impl(locale_ref) -> char;
}  // namespace detail
FMT_END_NAMESPACE
