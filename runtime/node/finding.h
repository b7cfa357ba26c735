// One line of `mogu check`: what was looked at, what was found, and how to fix it. A report is
// the list of them; its exit code is its worst line (0 OK, 1 WARN, 2 FAIL).
#pragma once

#include <string>
#include <vector>

namespace mogu::node {

enum class Level { ok = 0, warn = 1, fail = 2 };
const char* level_name(Level l);  // "OK", "WARN", "FAIL"

struct Finding {
    std::string area;    // kernel, cgroups, security, storage, network, vm, tools, sysctl
    std::string name;    // "config CONFIG_USER_NS", "vm.max_map_count", "thin pool mogu"
    Level level = Level::ok;
    std::string detail;  // what was found, and why it matters
    std::string fix;     // what to do; empty for OK lines
};

struct Report {
    std::string kernel_release;   // uname -r
    std::string config_source;    // "/proc/config.gz", "/boot/config-6.1.0-57-amd64", or ""
    std::vector<Finding> findings;

    void ok(std::string area, std::string name, std::string detail);
    void warn(std::string area, std::string name, std::string detail, std::string fix);
    void fail(std::string area, std::string name, std::string detail, std::string fix);
    void add(Finding f) { findings.push_back(std::move(f)); }

    Level worst() const;
    int exit_code() const { return static_cast<int>(worst()); }
    size_t count(Level l) const;
};

// The report for a terminal: one line per finding, its fix indented below, a summary last.
std::string report_text(const Report& r);
// The same as one JSON object (see docs/operations.md for its fields).
std::string report_json(const Report& r);

}  // namespace mogu::node
