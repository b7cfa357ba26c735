// libfmt's compiled half (fmt::vformat and friends), built from Debian's own header so every
// binary can be linked statically: Debian ships libfmt only as a shared library (and each shared
// library costs start-up time and resident memory).
//
// With a fixed digit separator, libfmt's locale-aware formatting ({:L}, which mogu does not use)
// does not reach std::locale: constructing the classic locale builds every locale facet of the
// C++ library, ~400 kB of text in each static binary (the shim's resident size follows its text,
// docs/benchmarks.md). Grouping by three with ',' is all {:L} would then do; the decimal point is '.'.
#define FMT_STATIC_THOUSANDS_SEPARATOR ','
#include <fmt/format-inl.h>

// The instantiations libfmt's format.cc provides for char.
FMT_BEGIN_NAMESPACE
namespace detail {
template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template auto decimal_point_impl(locale_ref) -> char;
}  // namespace detail
FMT_END_NAMESPACE
