#include "runtime/cgroups/device_rules.h"

#include "common/error.h"
#include "common/strings.h"

namespace mogu::cgroups {
namespace {

std::string access_string(uint8_t a) {
    std::string s;
    if (a & kAccRead) s += 'r';
    if (a & kAccWrite) s += 'w';
    if (a & kAccMknod) s += 'm';
    return s;
}

std::string number(int64_t v) { return v < 0 ? "*" : std::to_string(v); }

void add_exception(DeviceState& s, const DeviceKey& key, uint8_t access) { s.exceptions[key] |= access; }

// Removes `access` from the exception for exactly `key`. A wildcard exception that overlaps the
// request cannot be split (v1 would ignore the request and keep granting it), so that is an error.
void remove_exception(DeviceState& s, const DeviceKey& key, uint8_t access, const std::string& where) {
    for (DeviceKey wide : {DeviceKey{key.type, -1, key.minor}, DeviceKey{key.type, key.major, -1}, DeviceKey{key.type, -1, -1}}) {
        if (wide == key) continue;
        auto it = s.exceptions.find(wide);
        if (it != s.exceptions.end() && (it->second & access))
            throw SpecError(where, "\"{}\" cannot be carved out of the earlier wildcard rule \"{}\" (the devices cgroup cannot split it)",
                            device_rule_string(key, access), device_rule_string(wide, it->second));
    }
    auto it = s.exceptions.find(key);
    if (it == s.exceptions.end()) return;
    it->second &= static_cast<uint8_t>(~access);
    if (!it->second) s.exceptions.erase(it);
}

}  // namespace

std::string device_rule_string(const DeviceKey& key, uint8_t access) {
    if (key.type == 'a') return "a *:* rwm";
    return fmt::format("{} {}:{} {}", key.type, number(key.major), number(key.minor), access_string(access));
}

uint8_t parse_access(const std::string& access) {
    uint8_t a = 0;
    for (char c : access) {
        if (c == 'r') a |= kAccRead;
        else if (c == 'w') a |= kAccWrite;
        else if (c == 'm') a |= kAccMknod;
        else throw Error("device access \"{}\": unknown letter '{}' (use r, w, m)", access, c);
    }
    return a;
}

void apply_device_rules(DeviceState& state, const std::vector<oci::DeviceRule>& rules) {
    for (size_t i = 0; i < rules.size(); ++i) {
        const auto& r = rules[i];
        std::string where = fmt::format("linux.resources.devices[{}]", i);
        if (r.type != 'a' && r.type != 'c' && r.type != 'b') throw SpecError(where + ".type", "device rule type must be a, c or b; got \"{}\"", r.type);
        if ((r.major && *r.major > UINT32_MAX) || (r.minor && *r.minor > UINT32_MAX)) throw SpecError(where, "device number out of range");
        uint8_t access;
        try {
            access = parse_access(r.access);
        } catch (const Error& e) {
            throw SpecError(where + ".access", "{}", e.what());
        }
        if (!access) continue;
        if (r.type == 'a') {
            // "a" resets the policy, whatever its access says (as v1 does).
            state = DeviceState{r.allow, {}};
            continue;
        }
        DeviceKey key{r.type, r.major.value_or(-1), r.minor.value_or(-1)};
        if (r.allow == state.default_allow) remove_exception(state, key, access, where);
        else add_exception(state, key, access);
    }
}

DeviceState device_state_of(const std::vector<oci::DeviceRule>& rules) {
    DeviceState s;
    apply_device_rules(s, rules);
    return s;
}

DeviceState parse_devices_list(const std::string& text) {
    DeviceState s;
    for (auto& line : split(text, '\n')) {
        auto f = split(std::string(trim(line)), ' ');
        if (f.size() != 3 || f[0].size() != 1) continue;
        if (f[0] == "a") return DeviceState{true, {}};
        auto colon = f[1].find(':');
        if (colon == std::string::npos) throw Error("devices.list: cannot read \"{}\"", line);
        auto num = [&](const std::string& t) -> int64_t {
            if (t == "*") return -1;
            if (auto v = parse_int(t)) return *v;
            throw Error("devices.list: cannot read \"{}\"", line);
        };
        add_exception(s, DeviceKey{f[0][0], num(f[1].substr(0, colon)), num(f[1].substr(colon + 1))}, parse_access(f[2]));
    }
    return s;
}

std::vector<DeviceWrite> device_transition(const DeviceState& from, const DeviceState& to) {
    std::vector<DeviceWrite> out;
    const std::map<DeviceKey, uint8_t>* old = &from.exceptions;
    static const std::map<DeviceKey, uint8_t> none;
    // A different default needs the disruptive "a" rule; so does a default-allow source, whose
    // deny exceptions devices.list does not show.
    if (from.default_allow || from.default_allow != to.default_allow) {
        out.push_back({to.default_allow, "a *:* rwm"});
        old = &none;
    }
    for (auto& [key, perms] : *old) {
        auto it = to.exceptions.find(key);
        uint8_t dropped = perms & static_cast<uint8_t>(~(it == to.exceptions.end() ? 0 : it->second));
        if (dropped) out.push_back({to.default_allow, device_rule_string(key, dropped)});
    }
    for (auto& [key, perms] : to.exceptions) {
        auto it = old->find(key);
        uint8_t gained = perms & static_cast<uint8_t>(~(it == old->end() ? 0 : it->second));
        if (gained) out.push_back({!to.default_allow, device_rule_string(key, gained)});
    }
    return out;
}

}  // namespace mogu::cgroups
