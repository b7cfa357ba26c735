// Sysctls for container hosts: what `mogu check` recommends and what `mogu tune --profile`
// writes. A profile is a list of settings, each a rule on the current value ("at least N", "at
// most N", a port range) with the value to write when the rule is not met, and why.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mogu::node {

enum class Rule {
    at_least,    // the current number is >= target (0 counts as "unlimited" for none of ours)
    at_most,     // the current number is <= target and above 0 (0 disables the mechanism)
    port_range,  // "LOW HIGH": LOW <= target's low and HIGH >= target's high
};

struct Setting {
    std::string key;      // dotted: "vm.max_map_count"
    Rule rule = Rule::at_least;
    std::string target;   // what to write: "262144", "10240 65535"
    std::string why;
};

// Facts a profile's values depend on (min_free_kbytes scales with memory).
struct HostFacts {
    uint64_t mem_total_kb = 0;
};

// The known profiles: "dense" (many containers per node; what `mogu check` compares with) and
// "festival" (a burst: many short connections and processes at once).
std::vector<std::string> profile_names();
// nullopt for an unknown name.
std::optional<std::vector<Setting>> profile(const std::string& name, const HostFacts& facts);

// Whether `current` (the file's text, trimmed) meets the setting's rule; nullopt when it cannot
// be read as the rule wants.
std::optional<bool> satisfies(const Setting& s, const std::string& current);

// /proc/sys/<key with dots as slashes>
std::string sysctl_path(const std::string& key);

// One change tune makes: the current value (nullopt: the key does not exist here) and the new.
struct Change {
    Setting setting;
    std::optional<std::string> current;
    bool needed = false;   // current does not meet the rule
    bool present = true;   // the key exists on this kernel
};

// For each setting, the current value from `current` (key -> value; missing keys are absent on
// this kernel) and whether it must change. Settings already met are kept, with needed=false:
// the file tune writes holds the whole profile so a reboot keeps it.
std::vector<Change> diff_profile(const std::vector<Setting>& settings, const std::map<std::string, std::string>& current);

// The text of /etc/sysctl.d/90-mogu.conf for a profile: a header, then each present setting
// with its reason as a comment. Keys this kernel does not have are written commented out.
std::string render_sysctl_conf(const std::string& profile_name, const std::vector<Change>& changes);

}  // namespace mogu::node
