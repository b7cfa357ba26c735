// One container's cgroup figures as Prometheus series. Names are cAdvisor's where they mean the
// same thing (container_cpu_usage_seconds_total, container_memory_usage_bytes, ...), mogu_container_*
// where cAdvisor has none; docs/monitoring.md lists them all.
#pragma once

#include "monitor/container_network.h"
#include "monitor/exposition.h"
#include "runtime/runtime.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace mogu::monitor {

struct ContainerFigures {
    runtime::ContainerStats stats;
    std::optional<double> start_time;  // Unix seconds, from the state's "created"
    std::optional<std::vector<InterfaceCounters>> network;  // none in the host's namespace
    uint64_t restarts = 0;  // seen by this monitor (RestartCounter)
};

// "8:0" -> "/dev/sda" (cAdvisor's device label); may return "8:0" when the name is unknown.
using DeviceName = std::function<std::string(uint64_t major, uint64_t minor)>;

void add_container_metrics(MetricSet& set, const Labels& labels, const ContainerFigures& f, const DeviceName& device_name);

// The device's name from /sys/dev/block/M:m/uevent (DEVNAME), "M:m" when there is none.
std::string block_device_name(uint64_t major, uint64_t minor);

// "2026-11-26T16:29:31.123456789Z" -> Unix seconds; nullopt when it does not parse.
std::optional<double> parse_rfc3339(const std::string& text);

}  // namespace mogu::monitor
