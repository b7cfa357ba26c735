#include "runtime/user_namespace.h"

#include "common/error.h"
#include "common/files.h"
#include "common/strings.h"
#include "common/subprocess.h"

#include <unistd.h>

#include <string>

namespace mogu::runtime {
namespace {

std::string map_text(const std::vector<oci::IdMapping>& maps) {
    std::string out;
    for (const auto& m : maps) out += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.size);
    return out;
}

bool only_self(const std::vector<oci::IdMapping>& maps, uint32_t self) {
    return maps.size() == 1 && maps[0].host_id == self && maps[0].size == 1;
}

// newuidmap/newgidmap (package uidmap) map the ranges /etc/subuid and /etc/subgid grant.
void map_with_helper(const char* helper, pid_t pid, const std::vector<oci::IdMapping>& maps, const char* field) {
    std::vector<std::string> argv = {helper, std::to_string(pid)};
    for (const auto& m : maps) {
        argv.push_back(std::to_string(m.container_id));
        argv.push_back(std::to_string(m.host_id));
        argv.push_back(std::to_string(m.size));
    }
    CommandResult r;
    try {
        r = run_program(argv, true);
    } catch (const std::exception& e) {
        throw Error("linux.{}: {} ({}; apt-get install uidmap)", field, e.what(), helper);
    }
    if (!r.ok()) throw Error("linux.{}: {} failed: {}", field, helper, std::string(trim(r.output)));
}

void write_map(const std::string& file, const std::vector<oci::IdMapping>& maps, const char* field) {
    try {
        write_existing(file, map_text(maps));
    } catch (const SysError& e) {
        throw Error("linux.{}: {}", field, e.what());
    }
}

}  // namespace

void write_id_mappings(pid_t pid, const std::vector<oci::IdMapping>& uids, const std::vector<oci::IdMapping>& gids) {
    std::string base = "/proc/" + std::to_string(pid);
    if (::geteuid() == 0) {
        write_map(base + "/uid_map", uids, "uidMappings");
        write_map(base + "/gid_map", gids, "gidMappings");
        return;
    }
    // Unprivileged: the kernel lets us map only our own ids, and gid_map only after setgroups
    // is denied (user_namespaces(7)); anything more goes through the setuid helpers.
    if (only_self(uids, ::geteuid())) write_map(base + "/uid_map", uids, "uidMappings");
    else map_with_helper("newuidmap", pid, uids, "uidMappings");
    if (only_self(gids, ::getegid())) {
        write_existing(base + "/setgroups", "deny");
        write_map(base + "/gid_map", gids, "gidMappings");
    } else {
        map_with_helper("newgidmap", pid, gids, "gidMappings");
    }
}

}  // namespace mogu::runtime
