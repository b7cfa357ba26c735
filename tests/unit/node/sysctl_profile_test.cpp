#include "runtime/node/sysctl_check.h"
#include "runtime/node/sysctl_profile.h"
#include "runtime/node/tune_plan.h"

#include "common/error.h"

#include <criterion/criterion.h>

using namespace mogu::node;

static Setting setting(const std::vector<Setting>& s, const std::string& key) {
    for (const auto& x : s)
        if (x.key == key) return x;
    cr_assert_fail("no %s", key.c_str());
    return {};
}

Test(sysctl_profile, covers_every_setting_the_issue_names) {
    auto d = *profile("dense", {16ull << 20});
    for (const char* k : {"vm.dirty_ratio", "vm.dirty_background_ratio", "vm.dirty_expire_centisecs", "vm.dirty_writeback_centisecs",
                          "vm.min_free_kbytes", "kernel.pid_max", "kernel.threads-max", "fs.file-max", "fs.inotify.max_user_instances",
                          "fs.inotify.max_user_watches", "fs.aio-max-nr", "vm.max_map_count", "net.core.somaxconn",
                          "net.ipv4.ip_local_port_range", "net.netfilter.nf_conntrack_max"}) {
        auto s = setting(d, k);
        cr_assert(!s.why.empty(), "%s has no reason", k);
    }
}

Test(sysctl_profile, unknown_profiles_are_nullopt) { cr_assert(!profile("fast", {})); }

Test(sysctl_profile, min_free_kbytes_scales_with_memory_within_bounds) {
    cr_assert_eq(setting(*profile("dense", {64ull << 20}), "vm.min_free_kbytes").target, "262144");   // 64 GiB: capped
    cr_assert_eq(setting(*profile("dense", {8ull << 20}), "vm.min_free_kbytes").target, "82944");      // 8 GiB: 1%
    cr_assert_eq(setting(*profile("dense", {1ull << 20}), "vm.min_free_kbytes").target, "52224");     // 1 GiB: 5%
    cr_assert_eq(setting(*profile("festival", {64ull << 20}), "vm.min_free_kbytes").target, "524288");
}

Test(sysctl_profile, rules_read_the_kernels_text) {
    Setting at_least{"k", Rule::at_least, "100", ""}, at_most{"k", Rule::at_most, "10", ""}, range{"k", Rule::port_range, "10240 65535", ""};
    cr_assert(*satisfies(at_least, "100\n"));
    cr_assert(!*satisfies(at_least, "99"));
    cr_assert(*satisfies(at_most, "5"));
    cr_assert(!*satisfies(at_most, "20"));
    cr_assert(!*satisfies(at_most, "0"), "0 turns the mechanism off: not 'at most'");
    cr_assert(*satisfies(range, "1024\t65535"));
    cr_assert(!*satisfies(range, "32768\t60999"));
    cr_assert(!satisfies(at_least, "lots"));
    cr_assert(!satisfies(range, "1024"));
}

Test(sysctl_profile, sysctl_path_turns_dots_into_slashes) {
    cr_assert_eq(sysctl_path("net.ipv4.ip_local_port_range"), "/proc/sys/net/ipv4/ip_local_port_range");
    cr_assert_eq(sysctl_path("kernel.threads-max"), "/proc/sys/kernel/threads-max");
}

Test(profile_diff, keeps_values_already_better_and_marks_absent_keys) {
    std::vector<Setting> s = {{"vm.max_map_count", Rule::at_least, "262144", "maps"},
                              {"vm.dirty_ratio", Rule::at_most, "10", "dirty"},
                              {"net.netfilter.nf_conntrack_max", Rule::at_least, "262144", "ct"}};
    auto d = diff_profile(s, {{"vm.max_map_count", "1000000"}, {"vm.dirty_ratio", "20\n"}});
    cr_assert_eq(d.size(), 3u);
    cr_assert(!d[0].needed);
    cr_assert(d[1].needed);
    cr_assert_eq(*d[1].current, "20");
    cr_assert(!d[2].present);
    auto conf = render_sysctl_conf("dense", d);
    cr_assert(conf.find("vm.max_map_count = 1000000\n") != std::string::npos, "a better value is kept: %s", conf.c_str());
    cr_assert(conf.find("vm.dirty_ratio = 10\n") != std::string::npos);
    cr_assert(conf.find("# net.netfilter.nf_conntrack_max = 262144\n") != std::string::npos);
    cr_assert(conf.find("# dirty\n") != std::string::npos);
}

Test(tune_plan, an_unknown_profile_names_the_known_ones) {
    try {
        make_tune_plan("fast", {}, {});
        cr_assert_fail("no error");
    } catch (const mogu::Error& e) {
        cr_assert_str_eq(e.what(), "unknown profile \"fast\" (known: dense, festival)");
    }
}

Test(tune_plan, dry_run_text_lists_changes_with_reasons) {
    auto p = make_tune_plan("dense", {1ull << 20}, {{"vm.dirty_ratio", "20"}, {"vm.max_map_count", "300000"}});
    auto text = describe_plan(p, "/etc/sysctl.d/90-mogu.conf");
    cr_assert(text.find("vm.dirty_ratio: 20 -> 10\n      why: ") != std::string::npos, "%s", text.c_str());
    cr_assert(text.find("vm.max_map_count: 300000 already meets 262144") != std::string::npos);
    cr_assert(text.find("kernel.pid_max: not on this kernel") != std::string::npos);
    cr_assert(text.find("profile dense: 1 change(s)") == 0);
}

Test(saved_state, round_trips_through_json) {
    SavedState s{"festival", std::string("# old\nvm.swappiness = 10\n"), {{"vm.dirty_ratio", "20"}, {"net.ipv4.ip_local_port_range", "32768\t60999"}}};
    auto back = parse_saved_state(saved_state_json(s), "saved.json");
    cr_assert_eq(back.profile, "festival");
    cr_assert_eq(*back.conf, *s.conf);
    cr_assert_eq(back.values, s.values);
    SavedState none{"dense", std::nullopt, {}};
    cr_assert(!parse_saved_state(saved_state_json(none), "x").conf);
}

Test(saved_state, a_file_that_is_not_one_is_refused_naming_it) {
    try {
        parse_saved_state("{\"values\": [1]}", "/var/lib/mogu/tune/saved.json");
        cr_assert_fail("no error");
    } catch (const mogu::Error& e) {
        cr_assert(std::string(e.what()).find("/var/lib/mogu/tune/saved.json") != std::string::npos, "%s", e.what());
    }
}

Test(saved_state, a_second_tune_keeps_the_values_from_before_the_first) {
    auto first = make_tune_plan("dense", {1ull << 20}, {{"vm.dirty_ratio", "20"}});
    auto s1 = merge_saved_state(std::nullopt, std::nullopt, first);
    cr_assert_eq(s1.values.at("vm.dirty_ratio"), "20");
    cr_assert(!s1.conf);
    auto second = make_tune_plan("festival", {1ull << 20}, {{"vm.dirty_ratio", "10"}, {"fs.aio-max-nr", "65536"}});
    auto s2 = merge_saved_state(s1, std::string("dense's file"), second);
    cr_assert_eq(s2.values.at("vm.dirty_ratio"), "20");
    cr_assert_eq(s2.values.at("fs.aio-max-nr"), "65536");
    cr_assert(!s2.conf, "the file from before the first tune (none) is what revert restores");
    cr_assert_eq(s2.profile, "festival");
}

Test(sysctl_check, a_missing_conntrack_key_is_ok_other_missing_keys_warn) {
    Report r;
    evaluate_sysctls("dense", {{"net.netfilter.nf_conntrack_max", Rule::at_least, "262144", ""}, {"fs.aio-max-nr", Rule::at_least, "1", ""}},
                     {}, r);
    cr_assert_eq(r.findings[0].level, Level::ok);
    cr_assert_eq(r.findings[1].level, Level::warn);
}

Test(sysctl_check, a_low_value_warns_with_the_tune_command) {
    Report r;
    evaluate_sysctls("dense", {{"vm.max_map_count", Rule::at_least, "262144", "maps"}}, {{"vm.max_map_count", "65530"}}, r);
    cr_assert_eq(r.findings[0].level, Level::warn);
    cr_assert(r.findings[0].fix.find("mogu tune --profile dense") == 0);
}
