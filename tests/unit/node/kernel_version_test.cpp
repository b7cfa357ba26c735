#include "runtime/node/finding.h"
#include "runtime/node/kernel_version.h"
#include "runtime/node/version_check.h"

#include <criterion/criterion.h>

using namespace mogu::node;

Test(kernel_version, parses_distribution_release_strings) {
    auto v = KernelVersion::parse("6.1.0-57-amd64");
    cr_assert(v);
    cr_assert_eq(v->major, 6);
    cr_assert_eq(v->minor, 1);
    cr_assert_eq(v->patch, 0);
    auto w = KernelVersion::parse("6.18.44-fc-v1272");
    cr_assert_eq(w->patch, 44);
    auto x = KernelVersion::parse("5.15");
    cr_assert_eq(x->patch, 0);
    cr_assert(!KernelVersion::parse("linux"));
    cr_assert(!KernelVersion::parse("6"));
    cr_assert(!KernelVersion::parse("6."));
}

Test(kernel_version, compares_numerically_not_as_text) {
    cr_assert(!(*KernelVersion::parse("5.10.0") < *KernelVersion::parse("5.9.0")));
    cr_assert(*KernelVersion::parse("5.9.200") < *KernelVersion::parse("5.10.1"));
    cr_assert(*KernelVersion::parse("6.1.0-57-amd64") == *KernelVersion::parse("6.1"));
}

static const KnownBadRange& dirty_pipe() {
    for (const auto& b : known_bad_kernels())
        if (b.reason.find("CVE-2022-0847") != std::string::npos) return b;
    cr_assert_fail("Dirty Pipe is not in the list");
    return known_bad_kernels()[0];
}

Test(known_bad, a_stable_fix_in_the_same_series_clears_the_range) {
    const auto& b = dirty_pipe();
    cr_assert(affected({5, 10, 101}, b));
    cr_assert(!affected({5, 10, 102}, b));
    cr_assert(affected({5, 15, 24}, b));
    cr_assert(!affected({5, 15, 25}, b));
    // 5.13 had no stable fix: every 5.13 is affected.
    cr_assert(affected({5, 13, 19}, b));
}

Test(known_bad, versions_outside_the_range_are_not_affected) {
    const auto& b = dirty_pipe();
    cr_assert(!affected({5, 7, 0}, b));
    cr_assert(!affected({5, 17, 0}, b));
    cr_assert(!affected({6, 1, 0}, b));
}

Test(version_check, a_bad_kernel_fails_with_its_reason_and_the_fix) {
    Report r;
    evaluate_kernel_version("5.10.50-generic", r);
    cr_assert_eq(r.worst(), Level::fail);
    bool named = false;
    for (const auto& f : r.findings)
        if (f.level == Level::fail && f.detail.find("Dirty Pipe") != std::string::npos && f.fix.find("5.10.102") != std::string::npos)
            named = true;
    cr_assert(named);
}

Test(version_check, an_old_kernel_warns_about_features_it_lacks) {
    Report r;
    evaluate_kernel_version("4.19.0", r);
    size_t warns = 0;
    for (const auto& f : r.findings)
        if (f.level == Level::warn && f.name.find("seccomp user notification") != std::string::npos) ++warns;
    cr_assert_eq(warns, 1u);
}

Test(version_check, a_current_kernel_is_all_ok) {
    Report r;
    evaluate_kernel_version("6.1.0-57-amd64", r);
    cr_assert_eq(r.worst(), Level::ok);
}

Test(version_check, an_unreadable_release_warns) {
    Report r;
    evaluate_kernel_version("custom", r);
    cr_assert_eq(r.findings.size(), 1u);
    cr_assert_eq(r.worst(), Level::warn);
}

Test(tool_version, finds_the_first_version_in_a_banner) {
    auto v = first_version_in("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n");
    cr_assert(v);
    cr_assert_eq(v->str(), "7.2.22");
    cr_assert_eq(first_version_in("\"5.0.3\"\n")->str(), "5.0.3");
    cr_assert(!first_version_in("no numbers here"));
}
