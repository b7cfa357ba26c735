// The devices policy emulator (what v1 would do with a rule list) and its v1 transitions.
#include "common/error.h"
#include "runtime/cgroups/device_rules.h"

#include "tests/unit/cgroups/check.h"

#include <criterion/criterion.h>

using namespace mogu::cgroups;
using mogu::oci::DeviceRule;

namespace {
DeviceRule rule(bool allow, char type, std::optional<int64_t> major, std::optional<int64_t> minor, const char* access) {
    DeviceRule r;
    r.allow = allow;
    r.type = type;
    r.major = major;
    r.minor = minor;
    r.access = access;
    return r;
}
const std::nullopt_t any = std::nullopt;

std::string writes(const std::vector<DeviceWrite>& w) {
    std::string out;
    for (auto& x : w) out += std::string(x.allow ? "allow " : "deny ") + x.rule + "\n";
    return out;
}
}  // namespace

Test(device_rules, an_empty_list_denies_everything) {
    auto s = device_state_of({});
    cr_assert(!s.default_allow);
    cr_assert(s.exceptions.empty());
}

Test(device_rules, allow_all_switches_to_default_allow) {
    auto s = device_state_of({rule(true, 'a', any, any, "rwm")});
    cr_assert(s.default_allow);
    cr_assert(s.exceptions.empty());
}

Test(device_rules, deny_all_then_allow_list_merges_access_per_device) {
    auto s = device_state_of({rule(false, 'a', any, any, "rwm"), rule(true, 'c', 1, 3, "r"), rule(true, 'c', 1, 3, "w"),
                              rule(true, 'c', 136, any, "rwm")});
    cr_assert(!s.default_allow);
    cr_assert_eq(s.exceptions.size(), 2u);
    cr_assert_eq((s.exceptions[DeviceKey{'c', 1, 3}]), kAccRead | kAccWrite);
    cr_assert_eq((s.exceptions[DeviceKey{'c', 136, -1}]), kAccAll);
}

Test(device_rules, a_later_deny_takes_access_back) {
    auto s = device_state_of({rule(true, 'c', 1, 3, "rwm"), rule(false, 'c', 1, 3, "m"), rule(true, 'b', 8, 0, "r"), rule(false, 'b', 8, 0, "r")});
    cr_assert_eq(s.exceptions.size(), 1u);
    cr_assert_eq((s.exceptions[DeviceKey{'c', 1, 3}]), kAccRead | kAccWrite);
}

Test(device_rules, allow_all_then_deny_keeps_deny_exceptions) {
    auto s = device_state_of({rule(true, 'a', any, any, "rwm"), rule(false, 'c', 10, 200, "rwm")});
    cr_assert(s.default_allow);
    cr_assert_eq((s.exceptions[DeviceKey{'c', 10, 200}]), kAccAll);
}

Test(device_rules, punching_a_hole_in_a_wildcard_is_refused_with_the_rule_index) {
    try {
        device_state_of({rule(true, 'c', any, any, "rwm"), rule(false, 'c', 1, 3, "w")});
        cr_assert_fail("hole accepted");
    } catch (const mogu::SpecError& e) {
        CHECK_STR(e.path(), "linux.resources.devices[1]");
        cr_assert(std::string(e.what()).find("c *:* rwm") != std::string::npos, "%s", e.what());
    }
}

Test(device_rules, bad_access_letters_name_the_field) {
    try {
        device_state_of({rule(true, 'c', 1, 3, "rx")});
        cr_assert_fail("accepted");
    } catch (const mogu::SpecError& e) {
        CHECK_STR(e.path(), "linux.resources.devices[0].access");
    }
}

Test(device_rules, rule_strings_are_what_v1_files_take) {
    CHECK_STR(device_rule_string({'c', 1, 3}, kAccAll), "c 1:3 rwm");
    CHECK_STR(device_rule_string({'b', -1, -1}, kAccRead), "b *:* r");
    CHECK_STR(device_rule_string({'c', 136, -1}, kAccWrite | kAccMknod), "c 136:* wm");
}

Test(device_rules, devices_list_parses_both_modes) {
    auto allow_all = parse_devices_list("a *:* rwm\n");
    cr_assert(allow_all.default_allow);
    auto list = parse_devices_list("c 1:3 rwm\nb *:* m\nc 136:* rw\n");
    cr_assert(!list.default_allow);
    cr_assert_eq(list.exceptions.size(), 3u);
    cr_assert_eq((list.exceptions[DeviceKey{'b', -1, -1}]), kAccMknod);
    cr_assert(parse_devices_list("").exceptions.empty());
}

Test(device_rules, transition_from_allow_all_starts_with_deny_all) {
    auto to = device_state_of({rule(true, 'c', 1, 3, "rwm"), rule(true, 'c', 1, 5, "rw")});
    auto w = writes(device_transition(parse_devices_list("a *:* rwm"), to));
    CHECK_STR(w, "deny a *:* rwm\nallow c 1:3 rwm\nallow c 1:5 rw\n");
}

Test(device_rules, transition_between_allow_lists_is_not_disruptive) {
    auto from = parse_devices_list("c 1:3 rwm\nc 1:5 rwm\n");
    auto to = device_state_of({rule(true, 'c', 1, 3, "rw"), rule(true, 'c', 1, 7, "rwm")});
    auto w = writes(device_transition(from, to));
    CHECK_STR(w, "deny c 1:3 m\ndeny c 1:5 rwm\nallow c 1:7 rwm\n");
    cr_assert(device_transition(to, to).empty());
}

Test(device_rules, transition_to_allow_all) {
    auto w = writes(device_transition(parse_devices_list("c 1:3 rwm"), device_state_of({rule(true, 'a', any, any, "rwm"), rule(false, 'b', 8, 0, "w")})));
    CHECK_STR(w, "allow a *:* rwm\ndeny b 8:0 w\n");
}
