// GET /api/status: the status snapshot as JSON, and back (what `mogu-monitor status` reads).
//
// {"version": "0.1.0", "time": 1764174571.2, "interval_seconds": 10, "history_step_seconds": 10,
//  "history_points": 90,
//  "alerting": {"enabled": false, "rules": 0, "firing": [{"name", "severity", "summary",
//               "labels": {...}, "value", "since"}]},
//  "containers": [{"key", "name", "cgroup", "containerd_namespace", "namespace", "pod", "container",
//                  "image",
//                  "cpu_percent", "memory_used_bytes", "memory_limit_bytes", "io_bytes_per_second",
//                  "pids", "pids_limit", "load1",
//                  "history": {"cpu_percent": [...], "memory_used_bytes": [...],
//                              "io_bytes_per_second": [...], "pids": [...], "load1": [...]}}]}
//
// Limits are 0 when there is none; a figure without a value (the first rate, load without
// LXCFS) is null, in the history arrays too (oldest first, the last one newest).
#pragma once

#include "monitor/status.h"

#include <string>

namespace mogu::monitor {

std::string status_json(const StatusSnapshot& s);
// Errors (not JSON, a missing member) name `source` and the JSON path.
StatusSnapshot parse_status_json(const std::string& text, const std::string& source);

}  // namespace mogu::monitor
