#pragma once

#include "common/json.h"
#include "runtime/cgroups/cgroup.h"

#include <string>

namespace mogu::cli {

// runc's events --stats record: {"type":"stats","id":...,"data":{cpu, memory, pids, blkio, hugetlb}}.
std::string stats_event_json(const std::string& id, const cgroups::Stats& s);

}  // namespace mogu::cli
