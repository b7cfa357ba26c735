#include "runtime/node/sysctl_profile.h"

#include "common/strings.h"

#include <fmt/core.h>

#include <algorithm>

namespace mogu::node {
namespace {

// Keeps min_free_kbytes near 1% of memory, between 64 MiB and 256 MiB (dense) or 128 MiB and
// 512 MiB (festival), and never above 5% of a small machine's memory.
std::string min_free_for(const HostFacts& f, uint64_t floor_kb, uint64_t ceiling_kb) {
    uint64_t v = std::clamp<uint64_t>(f.mem_total_kb / 100, floor_kb, ceiling_kb);
    if (f.mem_total_kb) v = std::min<uint64_t>(v, std::max<uint64_t>(f.mem_total_kb / 20, 1024));
    return std::to_string(v / 1024 * 1024);
}

std::vector<Setting> dense(const HostFacts& f) {
    return {
        {"vm.dirty_ratio", Rule::at_most, "10",
         "dirty page cache above 10% of memory blocks the writer; with many containers one writer stalls its neighbours"},
        {"vm.dirty_background_ratio", Rule::at_most, "5",
         "background writeback from 5% keeps dirty pages from piling up to the blocking limit"},
        {"vm.dirty_expire_centisecs", Rule::at_most, "1500",
         "dirty data older than 15 s is written: a crash loses less, writeback comes in smaller batches"},
        {"vm.dirty_writeback_centisecs", Rule::at_most, "500",
         "the flusher wakes every 5 s (0 would turn periodic writeback off)"},
        {"vm.min_free_kbytes", Rule::at_least, min_free_for(f, 65536, 262144),
         "a reserve for atomic allocations (network bursts, page tables of new containers) so they do not fail under pressure"},
        {"kernel.pid_max", Rule::at_least, "4194304",
         "every container's processes and threads share the host's pid space; 32768 runs out on a dense node"},
        {"kernel.threads-max", Rule::at_least, "4194304", "the host-wide thread limit must not be below pid_max"},
        {"fs.file-max", Rule::at_least, "2097152", "open files of all containers together"},
        {"fs.inotify.max_user_instances", Rule::at_least, "8192",
         "inotify instances are counted per user id, and containers share root's: 128 is used up by a few dozen pods"},
        {"fs.inotify.max_user_watches", Rule::at_least, "1048576",
         "watches per user id: file watchers in containers (kubelet, dev servers) fail with ENOSPC past it"},
        {"fs.aio-max-nr", Rule::at_least, "1048576", "async I/O contexts (databases, QEMU) of all containers together"},
        {"vm.max_map_count", Rule::at_least, "262144",
         "memory maps per process: Elasticsearch, JVMs and allocators with many arenas need more than 65530"},
        {"net.core.somaxconn", Rule::at_least, "4096", "listen backlog: short bursts of connections are not dropped"},
        {"net.ipv4.ip_local_port_range", Rule::port_range, "10240 65535",
         "ephemeral ports for outgoing connections of all containers sharing the host's address"},
        {"net.netfilter.nf_conntrack_max", Rule::at_least, "262144",
         "tracked connections of all containers; a full table drops new connections (\"table full, dropping packet\")"},
    };
}

// The festival burst: dense, with more room for connections, processes and dirty data written
// out sooner.
std::vector<Setting> festival(const HostFacts& f) {
    auto s = dense(f);
    auto set = [&](const std::string& key, std::string target, std::string why) {
        for (auto& x : s)
            if (x.key == key) {
                x.target = std::move(target);
                x.why = std::move(why);
            }
    };
    set("vm.min_free_kbytes", min_free_for(f, 131072, 524288), "a bigger reserve: bursts of container starts allocate at once");
    set("vm.dirty_ratio", "5", "writers are throttled early so a burst of image unpacking does not stall everyone");
    set("vm.dirty_background_ratio", "2", "writeback starts almost at once");
    set("net.core.somaxconn", "65535", "the largest listen backlog: a burst of connections waits instead of failing");
    set("net.ipv4.ip_local_port_range", "1024 65535", "every port above the privileged ones for outgoing connections");
    set("net.netfilter.nf_conntrack_max", "1048576", "a million tracked connections during the burst");
    set("fs.file-max", "4194304", "open files of all containers during the burst");
    return s;
}

std::optional<std::pair<uint64_t, uint64_t>> port_pair(const std::string& text) {
    std::vector<std::string> words;
    for (auto& w : split(text, '\t'))
        for (auto& x : split(w, ' '))
            if (!x.empty()) words.push_back(x);
    if (words.size() != 2) return std::nullopt;
    auto lo = parse_uint(words[0]), hi = parse_uint(words[1]);
    if (!lo || !hi) return std::nullopt;
    return std::make_pair(*lo, *hi);
}

}  // namespace

std::vector<std::string> profile_names() { return {"dense", "festival"}; }

std::optional<std::vector<Setting>> profile(const std::string& name, const HostFacts& facts) {
    if (name == "dense") return dense(facts);
    if (name == "festival") return festival(facts);
    return std::nullopt;
}

std::optional<bool> satisfies(const Setting& s, const std::string& current_raw) {
    std::string current(trim(current_raw));
    switch (s.rule) {
        case Rule::at_least:
        case Rule::at_most: {
            auto cur = parse_uint(current), want = parse_uint(s.target);
            if (!cur || !want) return std::nullopt;
            if (s.rule == Rule::at_least) return *cur >= *want;
            return *cur > 0 && *cur <= *want;
        }
        case Rule::port_range: {
            auto cur = port_pair(current), want = port_pair(s.target);
            if (!cur || !want) return std::nullopt;
            return cur->first <= want->first && cur->second >= want->second;
        }
    }
    return std::nullopt;
}

std::string sysctl_path(const std::string& key) {
    std::string p = "/proc/sys/";
    for (char c : key) p += c == '.' ? '/' : c;
    return p;
}

std::vector<Change> diff_profile(const std::vector<Setting>& settings, const std::map<std::string, std::string>& current) {
    std::vector<Change> out;
    for (const auto& s : settings) {
        Change c;
        c.setting = s;
        auto it = current.find(s.key);
        if (it == current.end()) {
            c.present = false;
        } else {
            c.current = std::string(trim(it->second));
            auto ok = satisfies(s, *c.current);
            c.needed = !ok || !*ok;
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::string render_sysctl_conf(const std::string& profile_name, const std::vector<Change>& changes) {
    std::string out = fmt::format("# Written by `mogu tune --profile {}`; `mogu tune --revert` restores what was here before.\n"
                                  "# See docs/operations.md for each setting.\n",
                                  profile_name);
    for (const auto& c : changes) {
        out += fmt::format("\n# {}\n", c.setting.why);
        // A value already better than the profile's is kept as it is.
        std::string value = c.needed || !c.current ? c.setting.target : *c.current;
        if (!c.present) out += fmt::format("# not on this kernel when written (module not loaded?)\n# {} = {}\n", c.setting.key, value);
        else out += fmt::format("{} = {}\n", c.setting.key, value);
    }
    return out;
}

}  // namespace mogu::node
