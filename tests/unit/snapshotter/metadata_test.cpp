#include "snapshotter/metadata.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

using namespace mogu::snap;

namespace {

// The directories temp_db made in this (test) process, removed when it exits.
struct TempDirs {
    std::vector<std::string> paths;
    ~TempDirs() {
        std::error_code ec;
        for (const auto& p : paths) std::filesystem::remove_all(p, ec);
    }
};

std::string temp_db() {
    static TempDirs made;
    char dir[] = "/tmp/mogu-snap-test.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    made.paths.emplace_back(dir);
    return std::string(dir) + "/metadata.db";
}

SnapshotRow row(const std::string& key, uint32_t id, const std::string& parent = "") {
    SnapshotRow r;
    r.key = key;
    r.parent = parent;
    r.kind = Kind::committed;
    r.state = "ready";
    r.device_id = id;
    r.size = 1 << 20;
    r.labels = {{"containerd.io/snapshot.ref", "sha256:abc"}, {"empty", ""}};
    return r;
}

}  // namespace

Test(metadata, stores_and_reads_back_a_row_with_labels) {
    MetaStore s(temp_db());
    s.insert(row("k1", 7));
    auto r = s.get("k1");
    cr_assert(r.has_value());
    cr_assert_eq(r->device_id, 7u);
    cr_assert_eq(r->kind, Kind::committed);
    cr_assert_eq(r->labels.size(), 2u);
    cr_assert_eq(r->labels.at("containerd.io/snapshot.ref"), "sha256:abc");
    cr_assert(s.by_device(7).has_value());
    cr_assert_not(s.get("missing").has_value());
}

Test(metadata, a_rolled_back_transaction_leaves_nothing) {
    MetaStore s(temp_db());
    {
        MetaStore::Tx tx(s);
        s.allocate_device_id();
        s.insert(row("k1", 1));
    }
    cr_assert_not(s.get("k1").has_value());
    cr_assert_not(s.meta("next_device_id").has_value());
}

Test(metadata, device_ids_are_allocated_in_order_and_never_twice) {
    MetaStore s(temp_db());
    cr_assert_eq(s.allocate_device_id(), 1u);
    cr_assert_eq(s.allocate_device_id(), 2u);
    cr_assert_eq(s.allocate_device_id(), 3u);
}

Test(metadata, a_duplicate_device_id_is_refused) {
    MetaStore s(temp_db());
    s.insert(row("k1", 1));
    cr_assert_throw(s.insert(row("k2", 1)), std::exception);
}

Test(metadata, commit_renames_a_row_and_children_are_counted) {
    MetaStore s(temp_db());
    s.insert(row("active", 1));
    auto r = *s.get("active");
    r.key = "committed";
    s.update("active", r);
    cr_assert_not(s.get("active").has_value());
    cr_assert(s.get("committed").has_value());
    s.insert(row("child", 2, "committed"));
    cr_assert_eq(s.children_of("committed"), 1);
    auto c = *s.get("child");
    c.state = "removing";
    s.update("child", c);
    cr_assert_eq(s.children_of("committed"), 0, "a child being removed does not pin its parent");
}

Test(metadata, total_size_sums_every_row) {
    MetaStore s(temp_db());
    cr_assert_eq(s.total_size(), 0u);
    s.insert(row("a", 1));
    s.insert(row("b", 2));
    cr_assert_eq(s.total_size(), 2u << 20);
}
