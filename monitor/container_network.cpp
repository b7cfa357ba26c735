#include "monitor/container_network.h"

#include "common/files.h"
#include "common/strings.h"

#include <sys/stat.h>

#include <fmt/core.h>

#include <array>
#include <charconv>

namespace mogu::monitor {
namespace {

// The namespace's identity: the nsfs inode (and device) behind /proc/<pid>/ns/net.
std::optional<std::pair<dev_t, ino_t>> netns_of(const std::string& proc_pid) {
    struct stat st;
    if (::stat((proc_pid + "/ns/net").c_str(), &st) != 0) return std::nullopt;
    return std::make_pair(st.st_dev, st.st_ino);
}

}  // namespace

std::vector<InterfaceCounters> parse_net_dev(std::string_view text) {
    // "  eth0: 1296 16 0 0 0 0 0 0 906 11 0 0 0 0 0 0": receive bytes packets errs drop fifo frame
    // compressed multicast, then transmit bytes packets errs drop fifo colls carrier compressed.
    std::vector<InterfaceCounters> out;
    for (auto& line : split(text, '\n')) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;  // the two header lines
        std::string name(trim(std::string_view(line).substr(0, colon)));
        if (name.empty() || name == "lo") continue;
        std::array<uint64_t, 16> v{};
        const char* p = line.data() + colon + 1;
        const char* end = line.data() + line.size();
        size_t n = 0;
        for (; n < v.size(); ++n) {
            while (p < end && *p == ' ') ++p;
            auto [next, ec] = std::from_chars(p, end, v[n]);
            if (ec != std::errc()) break;
            p = next;
        }
        if (n != v.size()) continue;
        out.push_back(InterfaceCounters{name, v[0], v[1], v[2], v[3], v[8], v[9], v[10], v[11]});
    }
    return out;
}

std::optional<std::vector<InterfaceCounters>> read_container_network(pid_t pid) {
    if (pid <= 0) return std::nullopt;
    std::string proc = fmt::format("/proc/{}", pid);
    auto theirs = netns_of(proc);
    auto ours = netns_of("/proc/self");
    if (!theirs || !ours || *theirs == *ours) return std::nullopt;
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(proc + "/net/dev");
    } catch (const std::exception&) {
        return std::nullopt;  // gone between the two reads
    }
    if (!text) return std::nullopt;
    return parse_net_dev(*text);
}

}  // namespace mogu::monitor
