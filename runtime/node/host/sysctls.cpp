// Current sysctl values and the host's memory, read from /proc.
#include "common/files.h"
#include "common/strings.h"
#include "runtime/node/host/probes.h"
#include "runtime/node/sysctl_profile.h"

namespace mogu::node {

std::map<std::string, std::string> read_sysctls(const std::vector<std::string>& keys) {
    std::map<std::string, std::string> out;
    for (const auto& k : keys)
        if (auto v = read_file_if_exists(sysctl_path(k))) out[k] = std::string(trim(*v));
    return out;
}

uint64_t mem_total_kb() {
    auto text = read_file_if_exists("/proc/meminfo").value_or("");
    for (const auto& line : split(text, '\n'))
        if (line.rfind("MemTotal:", 0) == 0) {
            std::string v(trim(line.substr(9)));
            return parse_uint(v.substr(0, v.find(' '))).value_or(0);
        }
    return 0;
}

}  // namespace mogu::node
