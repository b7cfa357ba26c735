// A container's network figures: the counters of its network namespace's interfaces, read from
// /proc/<init pid>/net/dev (the namespace as that process sees it), as cAdvisor reads them.
// A container in the host's namespace (network_mode host, a host-network pod) has no figures of
// its own: they would be the host's, counted again for every such container.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mogu::monitor {

struct InterfaceCounters {
    std::string name;
    uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_dropped = 0;
    uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_dropped = 0;
};

// /proc/net/dev's text -> one entry per interface but loopback (cAdvisor leaves "lo" out too).
// Lines that do not parse are skipped.
std::vector<InterfaceCounters> parse_net_dev(std::string_view text);

// The interfaces of `pid`'s network namespace; nullopt when that namespace is the monitor's own
// (the host's) or the process is gone.
std::optional<std::vector<InterfaceCounters>> read_container_network(pid_t pid);

}  // namespace mogu::monitor
