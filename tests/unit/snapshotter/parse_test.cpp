#include "snapshotter/mkfs.h"
#include "snapshotter/snapshotter.h"
#include "snapshotter/thin_pool.h"

#include <criterion/criterion.h>

#include <algorithm>

using namespace mogu::snap;

Test(thin_dump, lists_devices_with_their_ids_and_mapped_blocks) {
    const char* xml =
        "<superblock uuid=\"\" time=\"3\" transaction=\"5\" data_block_size=\"128\" nr_data_blocks=\"16384\">\n"
        "  <device dev_id=\"1\" mapped_blocks=\"139\" transaction=\"0\" creation_time=\"0\" snap_time=\"2\">\n"
        "  </device>\n"
        "  <device dev_id=\"7\" mapped_blocks=\"0\" transaction=\"4\" creation_time=\"3\" snap_time=\"3\">\n"
        "  </device>\n"
        "</superblock>\n";
    auto r = parse_thin_dump(xml);
    cr_assert_eq(r.size(), 2u);
    cr_assert_eq(r[0].dev_id, 1u);
    cr_assert_eq(r[0].mapped_blocks, 139u);
    cr_assert_eq(r[1].dev_id, 7u);
    cr_assert_eq(r[1].creation_time, 3u);
}

Test(thin_dump, an_empty_pool_has_no_devices) {
    cr_assert(parse_thin_dump("<superblock uuid=\"\" time=\"0\">\n</superblock>\n").empty());
}

Test(pool_status, parses_usage_and_mode) {
    auto s = parse_pool_status("5 1650/16384 139/16384 - rw discard_passdown queue_if_no_space - 1024", 65536);
    cr_assert_eq(s.transaction_id, 5u);
    cr_assert_eq(s.used_meta_blocks, 1650u);
    cr_assert_eq(s.used_data_blocks, 139u);
    cr_assert_eq(s.data_bytes(), 1ULL << 30);
    cr_assert_eq(s.mode, "rw");
    cr_assert_not(s.needs_check);
    cr_assert_eq(s.meta_use_percent(), 10u);
}

Test(pool_status, a_failed_pool_says_so) {
    cr_assert_eq(parse_pool_status("Fail", 65536).mode, "Fail");
    cr_assert_throw(parse_pool_status("garbage", 65536), std::exception);
}

Test(mkfs, never_discards) {
    auto ext4 = mkfs_argv("ext4", "/dev/x", {});
    cr_assert(std::any_of(ext4.begin(), ext4.end(), [](auto& a) { return a.find("nodiscard") != std::string::npos; }));
    auto xfs = mkfs_argv("xfs", "/dev/x", {});
    cr_assert(std::find(xfs.begin(), xfs.end(), "-K") != xfs.end());
    cr_assert_eq(ext4.back(), "/dev/x");
}

Test(filters, match_name_kind_parent_and_labels) {
    Info i{"default/3/sha256:abc", "default/2/sha256:def", Kind::committed, 0, 0, {{"containerd.io/gc.root", "x"}}};
    cr_assert(matches_filter(i, "kind==committed"));
    cr_assert_not(matches_filter(i, "kind==active"));
    cr_assert(matches_filter(i, "parent==\"default/2/sha256:def\""));
    cr_assert(matches_filter(i, "labels.\"containerd.io/gc.root\""));
    cr_assert(matches_filter(i, "kind==committed,labels.\"containerd.io/gc.root\"==x"));
    cr_assert_not(matches_filter(i, "kind==committed,name!=default/3/sha256:abc"));
}

Test(filters, refuse_an_unknown_field) {
    Info i;
    cr_assert_throw(matches_filter(i, "colour==blue"), std::exception);
}
