// Detection from sample /proc/self/mountinfo and /proc/self/cgroup texts: no file system needed.
#include "common/error.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/hierarchy.h"

#include "tests/unit/cgroups/check.h"

#include <criterion/criterion.h>

using namespace mogu::cgroups;

namespace {

// This project's hosts: v1 controllers each on its own mount, name=systemd, cgroup2 at unified.
const char* kHybrid =
    "23 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
const char* kHybridCgroup =
    "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
    "4:memory:/process_api/8b9d\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/user.slice\n";

// A classic systemd v1 host: cpu and cpuacct co-mounted, net_cls,net_prio too.
const char* kV1 =
    "25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
    "26 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup "
    "rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd\n"
    "29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct\n"
    "30 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,net_cls,net_prio\n"
    "31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory\n";
const char* kV1Cgroup = "5:memory:/system.slice/x.service\n4:net_cls,net_prio:/\n3:cpu,cpuacct:/system.slice\n1:name=systemd:/system.slice/x.service\n";

const char* kV2 = "28 22 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";

}  // namespace

Test(detect, finds_this_hosts_hybrid_layout) {
    auto m = detect_from(kHybrid, kHybridCgroup);
    cr_assert_eq(m->layout(), Layout::hybrid);
    cr_assert_str_eq(layout_name(m->layout()), "hybrid");
    // Relative cgroupsPaths hang under the unified hierarchy's own cgroup.
    CHECK_STR(m->own_cgroup(), "/user.slice");

    auto h = find_hierarchies(kHybrid, kHybridCgroup);
    cr_assert_eq(h.v1.size(), 9u);
    cr_assert(h.unified.has_value());
    CHECK_STR(h.unified->mount_point, "/sys/fs/cgroup/unified");
    for (auto& hier : h.v1)
        if (hier.has("memory")) CHECK_STR(hier.own_cgroup, "/process_api/8b9d");
}

Test(detect, v1_open_maps_every_controller_to_its_directory) {
    auto m = detect_from(kV1, kV1Cgroup);
    cr_assert_eq(m->layout(), Layout::v1);
    auto cg = m->open(CgroupPath{"/default/abc"});
    auto p = cg->paths();
    // Co-mounted controllers share one directory; the named hierarchy is joined too.
    CHECK_STR(p["cpu"], "/sys/fs/cgroup/cpu,cpuacct/default/abc");
    CHECK_STR(p["cpuacct"], "/sys/fs/cgroup/cpu,cpuacct/default/abc");
    CHECK_STR(p["net_prio"], "/sys/fs/cgroup/net_cls,net_prio/default/abc");
    CHECK_STR(p["memory"], "/sys/fs/cgroup/memory/default/abc");
    CHECK_STR(p["name=systemd"], "/sys/fs/cgroup/systemd/default/abc");
    cr_assert_eq(p.size(), 6u);
    CHECK_STR(cg->path().path, "/default/abc");
}

Test(detect, v1_own_cgroup_prefers_the_systemd_hierarchy) {
    auto m = detect_from(kV1, kV1Cgroup);
    CHECK_STR(m->own_cgroup(), "/system.slice/x.service");
}

Test(detect, co_mounted_controllers_match_proc_self_cgroup_in_any_order) {
    std::string mi = "29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpuacct,cpu\n";
    auto h = find_hierarchies(mi, "3:cpu,cpuacct:/a/b\n");
    cr_assert_eq(h.v1.size(), 1u);
    cr_assert(h.v1[0].has("cpu") && h.v1[0].has("cpuacct"));
    CHECK_STR(h.v1[0].own_cgroup, "/a/b");
}

Test(detect, pure_v2) {
    auto m = detect_from(kV2, "0::/init.scope\n");
    cr_assert_eq(m->layout(), Layout::v2);
    CHECK_STR(m->own_cgroup(), "/init.scope");
}

Test(detect, mount_options_are_not_controllers) {
    auto h = find_hierarchies(kV1, kV1Cgroup);
    for (auto& hier : h.v1)
        for (auto& c : hier.controllers) {
            cr_assert(c != "rw" && c != "xattr" && !c.starts_with("release_agent"), "option %s taken for a controller", c.c_str());
        }
}

Test(detect, escaped_mount_points_are_decoded) {
    std::string mi = "50 31 0:40 / /run/my\\040cgroups/mem\\134x rw - cgroup none rw,memory\n";
    auto h = find_hierarchies(mi, "");
    cr_assert_eq(h.v1.size(), 1u);
    CHECK_STR(h.v1[0].mount_point, "/run/my cgroups/mem\\x");
    CHECK_STR(h.v1[0].dir("/a"), "/run/my cgroups/mem\\x/a");
}

Test(detect, a_mount_covered_by_a_later_one_is_ignored) {
    // What `umount`-less hiding looks like: a tmpfs mounted over the unified mount point, and a
    // new tmpfs over /sys/fs/cgroup hiding the v1 memory mount below it.
    std::string mi = std::string(kHybrid) + "60 41 0:50 / /sys/fs/cgroup/unified rw - tmpfs tmpfs rw\n";
    auto m = detect_from(mi, kHybridCgroup);
    cr_assert_eq(m->layout(), Layout::v1);

    std::string all_hidden = std::string(kHybrid) + "61 23 0:51 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n";
    cr_assert_throw(detect_from(all_hidden, kHybridCgroup), mogu::Error);
}

Test(detect, a_covering_mount_listed_later_hides_only_what_it_does_not_carry) {
    // The root and /sys listed after the cgroup mounts (a moved root, as in a guest after
    // switch_root): they are the mounts the cgroup mounts hang from, so nothing is hidden.
    std::string late_root = std::string(kHybrid) + "1 0 254:1 / / rw - ext4 /dev/vda rw\n";
    auto h = find_hierarchies(late_root, kHybridCgroup);
    cr_assert_eq(h.v1.size(), 9u);
    cr_assert(h.unified.has_value());
    // A tmpfs listed first but mounted on the memory mount (its parent is 35) still hides it.
    std::string stacked = "62 35 0:52 / /sys/fs/cgroup/memory rw - tmpfs tmpfs rw\n" + std::string(kHybrid);
    h = find_hierarchies(stacked, kHybridCgroup);
    cr_assert_eq(h.v1.size(), 8u);
    for (auto& hier : h.v1) cr_assert(!hier.has("memory"), "the covered memory mount was taken");
}

Test(detect, first_mount_of_a_hierarchy_wins) {
    std::string mi = "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                     "70 1 0:32 /docker/x /mnt/memory rw - cgroup cgroup rw,memory\n";
    auto h = find_hierarchies(mi, "4:memory:/docker/x\n");
    cr_assert_eq(h.v1.size(), 1u);
    CHECK_STR(h.v1[0].mount_point, "/sys/fs/cgroup/memory");
}

Test(detect, own_cgroup_is_relative_to_a_bind_mounted_root) {
    // Inside a container without a cgroup namespace: the host's /docker/abc is our mount's root.
    std::string mi = "80 70 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
                     "81 70 0:38 /docker/abc /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
    auto h = find_hierarchies(mi, "4:memory:/docker/abc/sub\n0::/docker/abc\n");
    CHECK_STR(h.v1[0].own_cgroup, "/sub");
    CHECK_STR(h.unified->own_cgroup, "/");
    // A cgroup outside the mount's view (a "/.." path from another cgroup namespace) is the root.
    auto h2 = find_hierarchies(mi, "4:memory:/../other\n0::/elsewhere\n");
    CHECK_STR(h2.v1[0].own_cgroup, "/");
    CHECK_STR(h2.unified->own_cgroup, "/");
}

Test(detect, named_hierarchy_alone_with_cgroup2_is_hybrid) {
    std::string mi = "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
                     "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
    auto m = detect_from(mi, "1:name=systemd:/\n0::/\n");
    cr_assert_eq(m->layout(), Layout::hybrid);
}

Test(detect, nothing_mounted_is_an_error_that_says_so) {
    try {
        detect_from("23 1 0:21 / /sys rw - sysfs sysfs rw\n", "");
        cr_assert_fail("no error");
    } catch (const mogu::Error& e) {
        cr_assert(std::string(e.what()).find("no cgroup file system is mounted") != std::string::npos, "%s", e.what());
    }
}

Test(detect, short_or_odd_lines_are_skipped) {
    std::string mi = "garbage\n\n1 2 3\n" + std::string(kV2);
    auto h = find_hierarchies(mi, "nonsense\n0::/x\n");
    cr_assert(h.unified.has_value());
    CHECK_STR(h.unified->own_cgroup, "/x");
}

Test(detect, open_refuses_a_path_that_is_not_clean) {
    auto m = detect_from(kV1, kV1Cgroup);
    cr_assert_throw(m->open(CgroupPath{"relative"}), mogu::Error);
    cr_assert_throw(m->open(CgroupPath{"/a/../../etc"}), mogu::Error);
    cr_assert_throw(m->open(CgroupPath{"/"}), mogu::Error);
}
