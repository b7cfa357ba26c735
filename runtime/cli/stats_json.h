#pragma once

#include "common/json.h"
#include "runtime/runtime.h"

#include <string>

namespace mogu::cli {

// runc's events --stats record: {"type":"stats","id":...,"data":{cpu, memory, pids, blkio, hugetlb}},
// with runc 1.2's "psi" in cpu, memory and blkio where the kernel has PSI, and mogu's "loadavg"
// (the container's own, through LXCFS) where the container has the view.
std::string stats_event_json(const std::string& id, const runtime::ContainerStats& s);

}  // namespace mogu::cli
