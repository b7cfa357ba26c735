#include "runtime/cgroups/convert.h"

#include "common/error.h"
#include "common/strings.h"

#include <dirent.h>

#include <algorithm>
#include <cmath>

namespace mogu::cgroups {

uint64_t cpu_shares_to_weight(uint64_t shares) {
    if (shares == 0) return 0;
    if (shares <= 2) return 1;
    if (shares >= 262144) return 10000;
    // A quadratic in log2(shares) through (2, 1), (1024, 100) and (262144, 10000): the kernel's
    // own defaults line up, which the old linear formula (1024 -> 39) did not.
    double l = std::log2(static_cast<double>(shares));
    double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
    return static_cast<uint64_t>(std::ceil(std::pow(10.0, exponent)));
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
    if (weight == 0) return 0;
    return 1 + (weight - 10) * 9999 / 990;
}

int64_t memory_swap_to_v2(int64_t swap, int64_t memory) {
    const char* field = "linux.resources.memory.swap";
    if (memory == -1 && swap == 0) return -1;  // "unlimited memory" on v1 lifts the memsw limit too
    if (swap == -1 || swap == 0) return swap;
    if (memory == -1) return swap;
    if (memory == 0) throw SpecError(field, "a swap limit ({}) needs a memory limit: on cgroup v2 swap is counted apart from memory", swap);
    if (memory < 0) throw SpecError("linux.resources.memory.limit", "invalid memory limit {}", memory);
    if (swap < memory)
        throw SpecError(field, "{} is below the memory limit {}: swap is memory+swap and must be at least the memory limit", swap, memory);
    return swap - memory;
}

std::string v2_limit(int64_t value) { return value < 0 ? "max" : std::to_string(value); }

std::string hugepage_size_name(uint64_t kb) {
    static const char* units[] = {"KB", "MB", "GB", "TB", "PB"};
    double v = static_cast<double>(kb);
    size_t u = 0;
    while (v >= 1024 && u + 1 < std::size(units)) {
        v /= 1024;
        ++u;
    }
    return fmt::format("{:g}{}", v, units[u]);
}

std::vector<std::string> host_hugepage_sizes() {
    std::vector<std::string> out;
    DIR* d = ::opendir("/sys/kernel/mm/hugepages");
    if (!d) return out;
    while (auto* e = ::readdir(d)) {
        std::string_view name = e->d_name;
        if (!name.starts_with("hugepages-") || !name.ends_with("kB")) continue;
        name.remove_prefix(10);
        name.remove_suffix(2);
        if (auto kb = parse_uint(name)) out.push_back(hugepage_size_name(*kb));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace mogu::cgroups
