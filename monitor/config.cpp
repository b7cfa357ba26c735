#include "monitor/config.h"

#include "common/error.h"
#include "common/files.h"
#include "common/strings.h"
#include "common/toml.h"
#include "monitor/docker_names.h"

#include <arpa/inet.h>
#include <netinet/in.h>


#include <map>
#include <set>

namespace mogu::monitor {
namespace {

[[noreturn]] void bad(const std::string& source, const toml::source_region& where, const std::string& key, const std::string& why) {
    throw Error("{}:{}: {}: {}", source, where.begin.line, key, why);
}

const char* toml_type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::array: return "an array";
        case toml::node_type::table: return "a table";
        default: return "a date or time";
    }
}

// Every key of `t` must be one of `known`; `prefix` is the table's dotted path ("containers.").
void refuse_unknown_keys(const std::string& source, const toml::table& t, const std::string& prefix, const std::set<std::string>& known) {
    for (auto& [k, v] : t) {
        std::string name(k.str());
        if (known.count(name)) continue;
        std::vector<std::string> names;
        for (auto& n : known) names.push_back(prefix + n);
        bad(source, k.source(), prefix + name, fmt::format("unknown key (known: {})", join(names, ", ")));
    }
}

std::string get_string(const std::string& source, const toml::node& n, const std::string& key, const char* expected) {
    auto s = n.value_exact<std::string>();
    if (!s) bad(source, n.source(), key, fmt::format("expected {}, not {}", expected, toml_type_name(n)));
    return *s;
}

std::vector<std::string> get_paths(const std::string& source, const toml::node& n, const std::string& key) {
    auto* arr = n.as_array();
    if (!arr) bad(source, n.source(), key, fmt::format("expected an array of paths, not {}", toml_type_name(n)));
    std::vector<std::string> out;
    for (size_t i = 0; i < arr->size(); ++i) {
        const toml::node& e = *arr->get(i);
        std::string ekey = fmt::format("{}[{}]", key, i);
        auto path = get_string(source, e, ekey, "a path");
        if (path.empty() || path[0] != '/') bad(source, e.source(), ekey, fmt::format("\"{}\" is not an absolute path", path));
        out.push_back(path);
    }
    return out;
}

void parse_host(const std::string& source, const toml::node& n, HostConfig& h) {
    auto* t = n.as_table();
    if (!t) bad(source, n.source(), "host", fmt::format("expected a table ([host]), not {}", toml_type_name(n)));
    refuse_unknown_keys(source, *t, "host.", {"paths", "daemons", "thin_pool", "kernel_log"});
    if (auto p = t->get("paths")) h.paths = get_paths(source, *p, "host.paths");
    if (auto d = t->get("daemons")) {
        auto* arr = d->as_array();
        if (!arr) bad(source, d->source(), "host.daemons", fmt::format("expected an array of process names, not {}", toml_type_name(*d)));
        h.daemons.clear();
        for (size_t i = 0; i < arr->size(); ++i) {
            std::string key = fmt::format("host.daemons[{}]", i);
            auto name = get_string(source, *arr->get(i), key, "a process name");
            if (name.empty() || name.find('/') != std::string::npos)
                bad(source, arr->get(i)->source(), key, fmt::format("\"{}\" is not an executable's name", name));
            h.daemons.push_back(name);
        }
    }
    if (auto p = t->get("thin_pool")) h.thin_pool = get_string(source, *p, "host.thin_pool", "a device-mapper name (\"\": none)");
    if (auto k = t->get("kernel_log")) {
        h.kernel_log = get_string(source, *k, "host.kernel_log", "a path");
        if (h.kernel_log.empty() || h.kernel_log[0] != '/') bad(source, k->source(), "host.kernel_log", fmt::format("\"{}\" is not an absolute path", h.kernel_log));
    }
}

}  // namespace

HostConfig default_host_config() {
    HostConfig h;
    h.paths = {"/"};
    if (path_exists("/var/lib/containerd")) h.paths.push_back("/var/lib/containerd");
    h.daemons = {"containerd", "dockerd", "mogu-snapshotter", "lxcfs"};
    // The snapshotter's own config names its pool; a broken one just means no pool figures.
    try {
        if (auto text = read_file_if_exists("/etc/mogu/snapshotter.toml")) {
            toml::table t = parse_toml(*text, "/etc/mogu/snapshotter.toml");
            if (auto name = t["pool_name"].value<std::string>()) h.thin_pool = *name;
        }
    } catch (const std::exception&) {
    }
    return h;
}

std::string ListenAddress::text() const {
    return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

socklen_t ListenAddress::to_sockaddr(struct sockaddr_storage& ss) const {
    ss = {};
    if (host.find(':') != std::string::npos) {
        auto* s6 = reinterpret_cast<struct sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        inet_pton(AF_INET6, host.c_str(), &s6->sin6_addr);
        return sizeof *s6;
    }
    auto* s4 = reinterpret_cast<struct sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    inet_pton(AF_INET, host.c_str(), &s4->sin_addr);
    return sizeof *s4;
}

std::vector<std::string> default_roots() {
    return {
        "/run/mogu",                    // mogu run/create with the default --root
        "/run/containerd/mogu/*",       // containerd-shim-mogu-v2, one root per containerd namespace
        "/run/containerd/runc/*",       // containerd's runc shim with BinaryName = mogu (Kubernetes)
        "/run/docker/runtime-runc/*",   // dockerd --add-runtime mogu=... (namespace "moby")
    };
}

bool parse_duration(const std::string& text, std::chrono::milliseconds& out) {
    size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0 || digits > 9) return false;
    uint64_t n = std::stoull(text.substr(0, digits));
    static const std::map<std::string, uint64_t> units = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
    auto u = units.find(text.substr(digits));
    if (u == units.end()) return false;
    out = std::chrono::milliseconds(n * u->second);
    return true;
}

bool parse_listen_address(const std::string& text, ListenAddress& out, std::string& why) {
    std::string host, port;
    if (!text.empty() && text[0] == '[') {
        auto close = text.find("]:");
        if (close == std::string::npos) {
            why = "expected [address]:port";
            return false;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string::npos) {
            why = "expected address:port, such as \"127.0.0.1:9338\"";
            return false;
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string::npos) {
            why = "an IPv6 address goes in brackets: \"[::1]:9338\"";
            return false;
        }
    }
    unsigned char buf[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, host.c_str(), buf) != 1 && inet_pton(AF_INET6, host.c_str(), buf) != 1) {
        why = fmt::format("\"{}\" is not a numeric IPv4 or IPv6 address", host);
        return false;
    }
    auto p = parse_uint(port);
    if (!p || *p > 65535) {
        why = fmt::format("\"{}\" is not a port number (0-65535)", port);
        return false;
    }
    out.host = host;
    out.port = static_cast<uint16_t>(*p);
    return true;
}

Config parse_config(const std::string& text, const std::string& source) {
    Config c;
    c.source = source;
    std::string unused;
    parse_listen_address(kDefaultListen, c.listen, unused);
    c.roots = default_roots();
    c.docker_roots = {kDefaultDockerRoot};
    c.host = default_host_config();

    toml::table t = parse_toml(text, source);
    refuse_unknown_keys(source, t, "", {"listen", "interval", "containers", "host", "rules", "alerts"});

    if (auto n = t.get("listen")) {
        std::string why;
        auto s = get_string(source, *n, "listen", "a string such as \"127.0.0.1:9338\"");
        if (!parse_listen_address(s, c.listen, why)) bad(source, n->source(), "listen", why);
    }
    if (auto n = t.get("interval")) {
        auto s = get_string(source, *n, "interval", "a duration such as \"10s\"");
        if (!parse_duration(s, c.interval)) bad(source, n->source(), "interval", fmt::format("\"{}\" is not a duration such as \"10s\" or \"500ms\"", s));
        if (c.interval < std::chrono::milliseconds(100) || c.interval > std::chrono::hours(1))
            bad(source, n->source(), "interval", fmt::format("{} is outside 100ms .. 1h", s));
    }
    if (auto n = t.get("containers")) {
        auto* ct = n->as_table();
        if (!ct) bad(source, n->source(), "containers", fmt::format("expected a table ([containers]), not {}", toml_type_name(*n)));
        refuse_unknown_keys(source, *ct, "containers.", {"roots", "docker_roots"});
        if (auto r = ct->get("roots")) c.roots = get_paths(source, *r, "containers.roots");
        if (auto r = ct->get("docker_roots")) c.docker_roots = get_paths(source, *r, "containers.docker_roots");
    }
    if (auto n = t.get("host")) parse_host(source, *n, c.host);
    if (auto n = t.get("rules")) c.rules = parse_alert_rules(source, *n);
    if (auto n = t.get("alerts")) c.alerts = parse_alert_delivery(source, *n);
    return c;
}

Config load_config(const std::string& path, bool must_exist) {
    auto text = read_file_if_exists(path);
    if (!text) {
        if (must_exist) throw Error("config {} does not exist", path);
        return parse_config("", path);
    }
    return parse_config(*text, path);
}

}  // namespace mogu::monitor
