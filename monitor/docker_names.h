// Docker's name and image of a container Docker runs with mogu (containerd namespace "moby").
// dockerd hands the runtime an OCI spec without either; it keeps them in its data root, in
// containers/<id>/config.v2.json ("Name": "/web", "Config": {"Image": "nginx:1.25"}), which it
// rewrites on `docker rename`. Read from there, once per container and again when the file
// changes, so a collection costs a stat per Docker container.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mogu::monitor {

inline constexpr const char* kDockerNamespace = "moby";
inline constexpr const char* kDefaultDockerRoot = "/var/lib/docker";

struct DockerIdentity {
    std::string name;   // without Docker's leading '/'
    std::string image;  // as the user named it (Config.Image), "" when absent
};

// The identity in one config.v2.json's text; nullopt when it is not one (source names it in
// the debug log).
std::optional<DockerIdentity> parse_docker_config(const std::string& text, const std::string& source);

class DockerNames {
public:
    explicit DockerNames(std::vector<std::string> data_roots) : roots_(std::move(data_roots)) {}

    // The container's identity from the first data root that has it; nullopt when none does.
    std::optional<DockerIdentity> lookup(const std::string& id);
    // Drops what is cached of containers not in `ids` (called after each collection).
    void keep_only(const std::set<std::string>& ids);

private:
    struct Entry {
        std::string path;
        timespec mtime{};
        off_t size = 0;
        std::optional<DockerIdentity> identity;
    };
    std::vector<std::string> roots_;
    std::map<std::string, Entry> cache_;
};

}  // namespace mogu::monitor
