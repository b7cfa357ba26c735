// The devices policy a list of OCI rules leaves behind, computed the way the v1 devices cgroup
// would (a default plus exceptions), so v1 and the v2 eBPF filter enforce the same thing. As in
// runc, the list starts from "deny everything"; a rule that would punch a hole into a wildcard
// exception (which v1 silently ignores) is refused.
#pragma once

#include "common/oci/spec.h"

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace mogu::cgroups {

// Access bits, numbered as BPF_DEVCG_ACC_* so the eBPF program can use them as they are.
enum : uint8_t { kAccMknod = 1, kAccRead = 2, kAccWrite = 4, kAccAll = 7 };

struct DeviceKey {
    char type = 'c';     // 'c' or 'b'
    int64_t major = -1;  // -1: any
    int64_t minor = -1;
    auto operator<=>(const DeviceKey&) const = default;
};

struct DeviceState {
    bool default_allow = false;
    std::map<DeviceKey, uint8_t> exceptions;  // denied (default allow) or allowed (default deny)
    bool operator==(const DeviceState&) const = default;
};

// One rule as the v1 files take it ("c 1:3 rwm", "b *:* r"); `key.type` 'a' gives "a *:* rwm".
std::string device_rule_string(const DeviceKey& key, uint8_t access);
uint8_t parse_access(const std::string& access);

// Applies rules in order to `state`; errors name linux.resources.devices[i].
void apply_device_rules(DeviceState& state, const std::vector<oci::DeviceRule>& rules);
// The state a rule list gives, starting from deny-all.
DeviceState device_state_of(const std::vector<oci::DeviceRule>& rules);

// Parses a v1 devices.list. "a *:* rwm" alone means default allow (deny exceptions are not
// listed by the kernel, hence the disruptive rule in device_transition).
DeviceState parse_devices_list(const std::string& text);

struct DeviceWrite {
    bool allow;        // devices.allow or devices.deny
    std::string rule;  // "c 1:3 rwm"
};
// The writes that take a v1 devices cgroup from `from` to `to` without passing through a state
// that allows more than either (runc's transition).
std::vector<DeviceWrite> device_transition(const DeviceState& from, const DeviceState& to);

}  // namespace mogu::cgroups
