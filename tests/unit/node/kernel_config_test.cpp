#include "runtime/node/finding.h"
#include "runtime/node/kernel_config.h"
#include "runtime/node/kernel_features.h"

#include <criterion/criterion.h>

using namespace mogu::node;

static const char* kConfig =
    "#\n# Automatically generated file; DO NOT EDIT.\n#\n"
    "CONFIG_NAMESPACES=y\n"
    "CONFIG_USER_NS=y\n"
    "# CONFIG_BLK_DEV_DM is not set\n"
    "CONFIG_DM_THIN_PROVISIONING=m\n"
    "CONFIG_LOCALVERSION=\"-mogu\"\n"
    "CONFIG_NR_CPUS=512\n"
    "CONFIG_OLD=n\n"
    "not a config line\n";

Test(kernel_config, reads_builtin_module_string_and_number_values) {
    auto c = KernelConfig::parse(kConfig);
    cr_assert(c.builtin("CONFIG_NAMESPACES"));
    cr_assert(c.enabled("CONFIG_DM_THIN_PROVISIONING"));
    cr_assert(!c.builtin("CONFIG_DM_THIN_PROVISIONING"));
    cr_assert_eq(*c.value("CONFIG_LOCALVERSION"), "-mogu");
    cr_assert_eq(*c.value("CONFIG_NR_CPUS"), "512");
}

Test(kernel_config, not_set_and_n_are_absent) {
    auto c = KernelConfig::parse(kConfig);
    cr_assert(!c.value("CONFIG_BLK_DEV_DM"));
    cr_assert(!c.value("CONFIG_OLD"));
    cr_assert(!c.enabled("CONFIG_NOT_MENTIONED"));
    cr_assert_eq(c.size(), 5u);
}

Test(kernel_config, text_that_is_not_a_config_has_no_options) {
    cr_assert_eq(KernelConfig::parse("hello\nworld=1\n").size(), 0u);
}

static const Finding* find(const Report& r, const std::string& prefix) {
    for (const auto& f : r.findings)
        if (f.name.rfind(prefix, 0) == 0) return &f;
    return nullptr;
}

Test(kernel_features, a_missing_required_option_fails_an_optional_one_warns) {
    Report r;
    evaluate_config(KernelConfig::parse(kConfig), r);
    auto* pid = find(r, "pid namespaces");
    cr_assert(pid);
    cr_assert_eq(pid->level, Level::fail);
    cr_assert(pid->fix.find("CONFIG_PID_NS") != std::string::npos);
    auto* dm = find(r, "device-mapper");
    cr_assert_eq(dm->level, Level::warn);
    auto* user = find(r, "user namespaces");
    cr_assert_eq(user->level, Level::ok);
    cr_assert(user->detail.find("CONFIG_USER_NS=y") != std::string::npos);
    cr_assert_eq(find(r, "dm thin provisioning")->level, Level::ok);
}

Test(kernel_features, either_cpu_vendor_option_enables_kvm_for_this_cpu) {
    Report r;
    evaluate_config(KernelConfig::parse("CONFIG_KVM=m\nCONFIG_KVM_AMD=m\n"), r);
    cr_assert_eq(find(r, "KVM for this CPU")->level, Level::ok);
}
