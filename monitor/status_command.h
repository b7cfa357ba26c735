// `mogu-monitor status`: asks the running monitor for GET /api/status and prints it for a
// terminal. It asks the daemon rather than reading the cgroups itself because only the daemon has
// the last 15 minutes (the sparklines) and the firing alerts; a one-shot read would have neither.
#pragma once

#include "monitor/config.h"

#include <string>
#include <vector>

namespace mogu::monitor {

struct StatusOptions {
    std::string address;  // host:port; empty: the config's listen address
    bool json = false;    // print the JSON as served
    std::vector<std::string> containers;  // only these (id, or namespace/id); empty: all
};

// Parses the arguments after "status" (throws UsageError).
StatusOptions parse_status_args(const std::vector<std::string>& args);
int run_status(const Config& config, const StatusOptions& options);

// One HTTP/1.0 GET to a numeric host:port; the body of a 200 answer, else an error naming the URL.
std::string http_get(const ListenAddress& address, const std::string& path, int timeout_ms);

}  // namespace mogu::monitor
