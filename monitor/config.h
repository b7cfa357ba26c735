// mogu-monitor's configuration: /etc/mogu/monitor.toml (or --config). Small on purpose; new
// sections (host collectors, rules, alert delivery) join as tables of their own.
//
//   listen   = "127.0.0.1:9338"      # host:port or [v6]:port of /metrics; port 0 picks one
//   interval = "10s"                 # how often containers are read (100ms .. 1h)
//   [containers]
//   roots = ["/run/mogu", "/run/containerd/mogu/*", ...]   # state roots, glob(7) patterns
//   docker_roots = ["/var/lib/docker"]                     # dockerd's --data-root(s): names, images
#pragma once

#include "monitor/alert_rules.h"

#include <sys/socket.h>

#include <chrono>
#include <string>
#include <vector>

namespace mogu::monitor {

inline constexpr const char* kDefaultConfigPath = "/etc/mogu/monitor.toml";
inline constexpr const char* kDefaultListen = "127.0.0.1:9338";

struct ListenAddress {
    std::string host;  // numeric: "127.0.0.1", "::1", "0.0.0.0"
    uint16_t port = 0;
    std::string text() const;  // "127.0.0.1:9338", "[::1]:9338"
    // The address as a socket address (IPv6 when the host has a colon); returns its length.
    socklen_t to_sockaddr(struct sockaddr_storage& ss) const;
};

// [host]: the node's own figures (host_collector.h). Every key is optional.
struct HostConfig {
    // Free space and inodes of these paths; default "/" and /var/lib/containerd when it exists.
    std::vector<std::string> paths;
    // Daemons watched for up/down and restarts, by executable name.
    std::vector<std::string> daemons;
    // mogu-snapshotter's thin pool (its device-mapper name); default: pool_name in
    // /etc/mogu/snapshotter.toml, none without that file.
    std::string thin_pool;
    std::string kernel_log = "/dev/kmsg";
};

HostConfig default_host_config();

struct Config {
    std::string source;  // the file it came from, for messages
    ListenAddress listen;
    std::chrono::milliseconds interval{10000};
    // Where mogu keeps container state, whoever ran it: mogu itself, the mogu shim (one root per
    // containerd namespace), containerd's runc shim or Docker told to use the mogu binary.
    std::vector<std::string> roots;
    // dockerd's data roots (--data-root), where the names and images of Docker's containers are
    // (monitor/docker_names.h). Default /var/lib/docker.
    std::vector<std::string> docker_roots;
    HostConfig host;
    std::vector<AlertRule> rules;  // [[rules]], alert_rules.h
    AlertDeliveryConfig alerts;    // [alerts]
};

std::vector<std::string> default_roots();

// Errors name the file, the line and the key: "/etc/mogu/monitor.toml:3: interval: ...".
Config parse_config(const std::string& text, const std::string& source);
// A missing file at the default path means the defaults; a missing file that was asked for is an error.
Config load_config(const std::string& path, bool must_exist);

// "10s", "500ms", "2m", "1h" (one number, one unit).
bool parse_duration(const std::string& text, std::chrono::milliseconds& out);
// "host:port", "[v6]:port"; the host must be a numeric address.
bool parse_listen_address(const std::string& text, ListenAddress& out, std::string& why);

}  // namespace mogu::monitor
