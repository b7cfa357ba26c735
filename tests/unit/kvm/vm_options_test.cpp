// VM sizes and choices from a spec: vCPUs and memory from linux.resources, annotations that
// override, and errors that name the annotation.
#include "common/error.h"
#include "common/json.h"
#include "common/oci/spec.h"
#include "kvm-launcher/host/rootfs_device.h"
#include "kvm-launcher/host/vm_options.h"

#include "tests/unit/kvm/expect.h"

#include <criterion/criterion.h>

#include <sys/sysmacros.h>

#include <cstdlib>

using namespace mogu;
using namespace mogu::vm;

namespace {

oci::Spec spec(const std::string& extra_linux, const std::string& annotations = "{}") {
    std::string text = R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "process": {"args": ["sh"], "cwd": "/"},
                          "annotations": )" + annotations + R"(, "linux": {)" + extra_linux + "}}";
    JsonDoc d = JsonDoc::parse(text, "config.json");
    return oci::parse_spec(d.root());
}

// The annotations (one key) are refused with an error that names the key.
void refused_naming_its_key(const char* annotations) {
    try {
        vm_options(spec("", annotations), 4);
        cr_assert_fail("accepted %s", annotations);
    } catch (const SpecError& e) {
        std::string key = JsonDoc::parse(annotations, "a").root().keys()[0];
        cr_assert(std::string(e.what()).find(key) != std::string::npos, "%s does not name %s", e.what(), key.c_str());
    }
}

void clean_env() {
    unsetenv("MOGU_VM_ACCEL");
    unsetenv("MOGU_VM_KERNEL");
    unsetenv("MOGU_VM_BOOT_TIMEOUT");
    unsetenv("MOGU_VM_QEMU");
}

}  // namespace

TestSuite(vm_options, .init = clean_env);

Test(vm_options, defaults_without_resources) {
    VmOptions o = vm_options(spec(""), 8);
    cr_assert_eq(o.vcpus, kDefaultVcpus);
    cr_assert_eq(o.memory_mib, kDefaultMemoryMiB);
    cr_assert(o.rootfs == RootfsMode::block);
    cr_assert(o.accel == AccelChoice::automatic);
}

Test(vm_options, vcpus_round_the_cpu_quota_up) {
    cr_assert_eq(vm_options(spec(R"("resources": {"cpu": {"quota": 150000, "period": 100000}})"), 8).vcpus, 2);
    cr_assert_eq(vm_options(spec(R"("resources": {"cpu": {"quota": 300000, "period": 100000}})"), 8).vcpus, 3);
    cr_assert_eq(vm_options(spec(R"("resources": {"cpu": {"quota": 20000}})"), 8).vcpus, 1);
}

Test(vm_options, vcpus_count_the_cpuset_without_a_quota) {
    cr_assert_eq(vm_options(spec(R"("resources": {"cpu": {"cpus": "0-2,5"}})"), 8).vcpus, 4);
}

Test(vm_options, vcpus_never_exceed_the_host) {
    cr_assert_eq(vm_options(spec(R"("resources": {"cpu": {"quota": 800000, "period": 100000}})"), 2).vcpus, 2);
}

Test(vm_options, memory_is_the_limit_plus_the_guest_overhead) {
    VmOptions o = vm_options(spec(R"("resources": {"memory": {"limit": 209715200}})"), 2);
    cr_assert_eq(o.memory_mib, 200 + kGuestOverheadMiB);
}

Test(vm_options, annotations_override_the_sizes) {
    VmOptions o = vm_options(spec(R"("resources": {"memory": {"limit": 209715200}})",
                                  R"({"io.mogu.vm.vcpus": "2", "io.mogu.vm.memory-mib": "512", "io.mogu.vm.rootfs": "9p",
                                      "io.mogu.vm.accel": "tcg", "io.mogu.vm.boot-timeout": "7", "io.mogu.vm.machine": "q35"})"),
                             4);
    cr_assert_eq(o.vcpus, 2);
    cr_assert_eq(o.memory_mib, 512);
    cr_assert(o.rootfs == RootfsMode::share);
    cr_assert(o.accel == AccelChoice::tcg);
    cr_assert_eq(o.boot_timeout_s, 7);
    cr_assert(o.machine == MachineChoice::q35);
}

Test(vm_options, bad_annotations_name_themselves) {
    const char* bad[] = {R"({"io.mogu.vm.vcpus": "0"})", R"({"io.mogu.vm.vcpus": "two"})", R"({"io.mogu.vm.memory-mib": "64"})",
                         R"({"io.mogu.vm.rootfs": "nfs"})", R"({"io.mogu.vm.accel": "hvf"})", R"({"io.mogu.vm.machine": "pc"})", R"({"io.mogu.vm.boot-timeout": "-1"})"};
    for (const char* a : bad) refused_naming_its_key(a);
}

Test(vm_options, environment_sets_host_wide_defaults) {
    setenv("MOGU_VM_ACCEL", "tcg", 1);
    setenv("MOGU_VM_BOOT_TIMEOUT", "9", 1);
    VmOptions o = vm_options(spec(""), 4);
    cr_assert(o.accel == AccelChoice::tcg);
    cr_assert_eq(o.boot_timeout_s, 9);
    setenv("MOGU_VM_ACCEL", "fast", 1);
    cr_assert_throw(vm_options(spec(""), 4), SpecError);
}

Test(cpuset_count, counts_ranges_and_refuses_junk) {
    cr_assert_eq(cpuset_count("0"), 1);
    cr_assert_eq(cpuset_count("0-3"), 4);
    cr_assert_eq(cpuset_count("0-1,4,6-7"), 5);
    cr_assert_eq(cpuset_count(""), 0);
    cr_assert_eq(cpuset_count("3-1"), 0);
    cr_assert_eq(cpuset_count("a"), 0);
}

Test(vm_options, a_rootfs_device_annotation_names_the_disk_its_type_and_options) {
    VmOptions o = vm_options(spec("", R"({"io.mogu.vm.rootfs-device": "/dev/mapper/pool-snap-7",
                                         "io.mogu.vm.rootfs-options": "noatime, errors=remount-ro,,ro"})"),
                             4);
    cr_assert(o.rootfs == RootfsMode::device);
    expect_str(o.rootfs_device, "/dev/mapper/pool-snap-7");
    expect_str(o.rootfs_fstype, "ext4");
    cr_assert_eq(o.rootfs_options.size(), 3u);
    expect_str(o.rootfs_options[0], "noatime");
    expect_str(o.rootfs_options[1], "errors=remount-ro");
    expect_str(o.rootfs_options[2], "ro");
}

Test(vm_options, rootfs_device_annotations_that_cannot_work_are_named) {
    const char* bad[] = {R"({"io.mogu.vm.rootfs-device": "dev/loop0"})",
                         R"({"io.mogu.vm.rootfs-fstype": "ext4"})",
                         R"({"io.mogu.vm.rootfs-options": "ro"})"};
    for (const char* a : bad) refused_naming_its_key(a);
    for (const char* a : {R"({"io.mogu.vm.rootfs-device": "/dev/loop0", "io.mogu.vm.rootfs-fstype": "xfs"})",
                          R"({"io.mogu.vm.rootfs-device": "/dev/loop0", "io.mogu.vm.rootfs": "9p"})"})
        cr_assert_throw(vm_options(spec("", a), 4), SpecError, "accepted %s", a);
}

Test(rootfs_device, is_found_mounted_by_its_major_and_minor) {
    std::string mountinfo =
        "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
        "36 22 7:3 / /var/lib/x rw,relatime shared:1 - ext4 /dev/loop3 rw\n"
        "37 22 253:12 /sub /mnt/snap ro - ext4 /dev/mapper/pool-snap-12 ro\n";
    expect_str(mount_point_of(mountinfo, makedev(253, 12)), "/mnt/snap");
    expect_str(mount_point_of(mountinfo, makedev(7, 3)), "/var/lib/x");
    expect_str(mount_point_of(mountinfo, makedev(7, 30)), "");
    expect_str(mount_point_of(mountinfo, makedev(253, 1)), "");
}
