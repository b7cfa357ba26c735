#include "runtime/user_namespace.h"

#include "common/error.h"
#include "common/files.h"

#include <string>

namespace mogu::runtime {
namespace {

std::string map_text(const std::vector<oci::IdMapping>& maps) {
    std::string out;
    for (const auto& m : maps) out += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.size);
    return out;
}

}  // namespace

void write_id_mappings(pid_t pid, const std::vector<oci::IdMapping>& uids, const std::vector<oci::IdMapping>& gids) {
    std::string base = "/proc/" + std::to_string(pid);
    try {
        write_existing(base + "/uid_map", map_text(uids));
    } catch (const SysError& e) {
        throw Error("linux.uidMappings: {}", e.what());
    }
    try {
        write_existing(base + "/gid_map", map_text(gids));
    } catch (const SysError& e) {
        throw Error("linux.gidMappings: {}", e.what());
    }
}

}  // namespace mogu::runtime
