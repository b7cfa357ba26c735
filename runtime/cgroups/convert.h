// The OCI resources are cgroup v1 values; on cgroup v2 they are translated the way runc
// (opencontainers/cgroups) does, so a spec means the same thing under either runtime.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mogu::cgroups {

// cpu.shares [2, 262144] -> cpu.weight [1, 10000], 1024 -> 100 (runc >= 1.3's quadratic fit in
// log space; 0 stays "unset").
uint64_t cpu_shares_to_weight(uint64_t shares);
// blkio.weight [10, 1000] -> io.weight [1, 10000], linear; 0 stays "unset".
uint64_t blkio_weight_to_io_weight(uint64_t weight);
// OCI memory.swap is memory+swap (v1 memsw); v2's memory.swap.max is swap alone. Arguments and
// result use runc's convention: 0 unset, -1 unlimited. Throws SpecError on impossible pairs.
int64_t memory_swap_to_v2(int64_t swap, int64_t memory);
// "0", "max" or the number, as v2 files want; -1 means unlimited.
std::string v2_limit(int64_t value);

// A huge page size in kB as the hugetlb cgroup files name it: 2048 -> "2MB", 1048576 -> "1GB".
std::string hugepage_size_name(uint64_t kb);
// The sizes this host supports, from /sys/kernel/mm/hugepages.
std::vector<std::string> host_hugepage_sizes();

}  // namespace mogu::cgroups
