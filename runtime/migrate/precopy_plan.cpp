#include "runtime/migrate/precopy_plan.h"

#include <cstddef>

namespace mogu::runtime::migrate {

bool another_pre_dump(const std::vector<uint64_t>& sent, const PrecopyLimits& l) {
    if (l.max_iterations <= 0 || sent.size() >= static_cast<size_t>(l.max_iterations)) return false;
    if (sent.empty()) return true;
    if (sent.back() < l.small_enough) return false;
    if (sent.size() == 1) return true;
    return static_cast<double>(sent.back()) <= l.shrink * static_cast<double>(sent[sent.size() - 2]);
}

}  // namespace mogu::runtime::migrate
