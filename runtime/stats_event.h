// A container's stats as runc's `events --stats` prints them, written and read back: mogu's
// events verb writes them, mogu-agent sends a VM container's (its guest cgroup's) to the host
// this way, and the shim reads them from `mogu-vm events --stats`.
#pragma once

#include "runtime/runtime.h"

#include <string>

namespace mogu::runtime {

// runc's events --stats record: {"type":"stats","id":...,"data":{cpu, memory, pids, blkio, hugetlb}},
// with runc 1.2's "psi" in cpu, memory and blkio where the kernel has PSI, and mogu's "loadavg"
// (the container's own, through LXCFS) where the container has the view.
std::string stats_event_json(const std::string& id, const ContainerStats& s);

// The inverse, for a record this writer (or runc) made: fields it lacks stay 0. `source` names the
// text in errors.
ContainerStats parse_stats_event_json(const std::string& text, const std::string& source);

}  // namespace mogu::runtime
