#include "flattener/entry_path.h"
#include "flattener/merge.h"
#include "layers.h"

#include <criterion/criterion.h>

#include <algorithm>
#include <functional>
#include <set>

namespace {

struct Result {
    std::vector<std::string> entries;
    std::string error;
    fl::MergeStats stats;
};

// Merges the layers (lowest first); with base_count > 0 the lowest ones are the kept base.
Result merge(const std::vector<std::vector<E>>& layers, size_t base_count = 0) {
    std::vector<fl::LayerInput> inputs;
    for (size_t i = 0; i < layers.size(); i++) inputs.push_back(layer_of(layers[i], "layer " + std::to_string(i + 1)));
    Result r;
    MemSink sink;
    try {
        fl::MergeStats base_stats;
        std::unique_ptr<fl::Merge> base;
        if (base_count > 0) {
            base = std::make_unique<fl::Merge>(nullptr, base_stats, nullptr);
            std::vector<const fl::LayerInput*> lower;
            for (size_t i = 0; i < base_count; i++) lower.push_back(&inputs[i]);
            base->run(lower);
        }
        fl::TarOut out(sink);
        fl::Merge m(&out, r.stats, nullptr);
        m.set_base(base.get());
        std::vector<const fl::LayerInput*> upper;
        for (size_t i = base_count; i < inputs.size(); i++) upper.push_back(&inputs[i]);
        m.run(upper);
        out.finish();
        r.entries = list_tar(sink.data);
    } catch (const std::exception& e) {
        r.error = e.what();
    }
    return r;
}

bool has(const Result& r, const std::string& line) {
    return std::find(r.entries.begin(), r.entries.end(), line) != r.entries.end();
}
size_t pos(const Result& r, const std::string& line) {
    return static_cast<size_t>(std::find(r.entries.begin(), r.entries.end(), line) - r.entries.begin());
}
std::string dump(const Result& r) {
    std::string s = r.error;
    for (auto& e : r.entries) s += "\n  " + e;
    return s;
}

// The directories whose entry a streaming unpacker would change again after applying it. An entry
// whose parent does not exist yet makes the unpacker create the missing directories, and that
// changes the nearest one that exists: umoci keeps a directory's time only while it adds the
// directory's direct children, so a directory entry must not be followed by such an entry below it.
std::vector<std::string> directories_changed_after_their_entry(const Result& r) {
    std::set<std::string> exists{""};
    std::set<std::string> applied;
    std::vector<std::string> changed;
    for (const std::string& line : r.entries) {
        std::string path = line.substr(0, line.find(' '));
        std::string missing(fl::parent_of(path));
        if (!exists.count(missing)) {
            std::string a = missing;
            while (!exists.count(a)) {
                exists.insert(a);
                a = std::string(fl::parent_of(a));
            }
            if (applied.count(a)) changed.push_back(a.empty() ? "." : a);
        }
        exists.insert(path);
        if (line.find(" d ") != std::string::npos) applied.insert(path);
    }
    return changed;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (auto& x : v) s += x + " ";
    return s;
}

}  // namespace

Test(merge, upper_file_replaces_lower_and_directories_take_the_top_metadata) {
    auto r = merge({{{'d', "etc", "", 0755}, {'f', "etc/a", "old"}, {'f', "etc/b", "b"}},
                    {{'d', "etc", "", 0700}, {'f', "etc/a", "new"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(has(r, "etc d 700"), "%s", dump(r).c_str());
    cr_assert(has(r, "etc/a f new"));
    cr_assert(has(r, "etc/b f b"));
    cr_assert_eq(r.entries.size(), 3u, "%s", dump(r).c_str());
    cr_assert_eq(r.stats.dropped_by_overwrite, 2u);
}

Test(merge, whiteout_hides_the_path_and_everything_below_and_is_not_written) {
    auto r = merge({{{'d', "d"}, {'f', "d/x", "x"}, {'d', "d/sub"}, {'f', "d/sub/y", "y"}, {'f', "keep", "k"}},
                    {{'w', "d"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert_eq(r.entries.size(), 1u, "%s", dump(r).c_str());
    cr_assert(has(r, "keep f k"));
    cr_assert_eq(r.stats.dropped_by_whiteout, 4u);
}

Test(merge, opaque_directory_keeps_its_own_layer_and_drops_lower_children) {
    auto r = merge({{{'d', "o"}, {'f', "o/old", "1"}}, {{'d', "o", "", 0750}, {'o', "o"}, {'f', "o/new", "2"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(has(r, "o d 750"), "%s", dump(r).c_str());
    cr_assert(has(r, "o/new f 2"));
    cr_assert(!has(r, "o/old f 1"));
    cr_assert_eq(r.entries.size(), 2u, "%s", dump(r).c_str());
}

Test(merge, a_non_directory_above_hides_a_lower_directory_tree) {
    auto r = merge({{{'d', "p"}, {'f', "p/a", "a"}}, {{'f', "p", "file"}}, {{'d', "p"}, {'f', "p/b", "b"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(has(r, "p/b f b"), "%s", dump(r).c_str());
    cr_assert(!has(r, "p/a f a"), "%s", dump(r).c_str());
    cr_assert(!has(r, "p f file"));
}

Test(merge, symlinks_are_kept_never_followed) {
    auto r = merge({{{'l', "abs", "/etc/passwd"}, {'l', "rel", "../x"}, {'l', "lib", "usr/lib"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(has(r, "abs l /etc/passwd"));
    cr_assert(has(r, "rel l ../x"));
    cr_assert(has(r, "lib l usr/lib"));
}

Test(merge, hardlink_to_a_lower_file_comes_after_it) {
    auto r = merge({{{'f', "a", "content"}}, {{'h', "b", "a"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(has(r, "a f content"), "%s", dump(r).c_str());
    cr_assert(has(r, "b h a"));
    cr_assert_lt(pos(r, "a f content"), pos(r, "b h a"));
}

Test(merge, hardlink_whose_target_is_replaced_above_keeps_the_old_content) {
    auto r = merge({{{'f', "a", "old"}, {'h', "b", "a"}, {'h', "c", "a"}}, {{'f', "a", "new"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(has(r, "a f new"), "%s", dump(r).c_str());
    cr_assert(has(r, "b f old"), "%s", dump(r).c_str());
    cr_assert(has(r, "c h b"), "%s", dump(r).c_str());
    cr_assert_eq(r.stats.relinked, 1u);
}

Test(merge, hardlink_from_above_to_a_deleted_name_gets_the_file) {
    // layer 2 links n -> a; layer 3 removes a: n lives on with a's content
    auto r = merge({{{'f', "a", "data"}}, {{'h', "n", "a"}}, {{'w', "a"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert_eq(r.entries.size(), 1u, "%s", dump(r).c_str());
    cr_assert(has(r, "n f data"), "%s", dump(r).c_str());
}

Test(merge, hardlink_to_a_link_joins_the_same_file) {
    auto r = merge({{{'f', "a", "x"}}, {{'h', "b", "a"}}, {{'h', "c", "b"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(has(r, "b h a"), "%s", dump(r).c_str());
    cr_assert(has(r, "c h a"), "%s", dump(r).c_str());
}

Test(merge, hardlink_to_a_directory_is_refused) {
    auto r = merge({{{'d', "dir"}}, {{'h', "l", "dir"}}});
    cr_assert(r.error.find("layer 2: entry l: hardlink to dir, which is a directory") != std::string::npos, "%s",
              r.error.c_str());
}

Test(merge, whiteouts_of_nothing_are_dropped_and_counted) {
    // Rebased images carry whiteouts for paths their new base never had: nothing to hide.
    auto r = merge({{{'d', "dir"}, {'f', "dir/a", "a"}},
                    {{'w', "never-was"}, {'w', "dir/ghost"}, {'w', "nowhere/ghost"}, {'d', "new"}, {'w', "new/ghost"}},
                    {{'f', "top", "t"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert_eq(r.stats.whiteouts_of_nothing, 4u, "%s", dump(r).c_str());
    cr_assert(has(r, "dir/a f a"), "%s", dump(r).c_str());
    cr_assert(has(r, "new d 755"), "%s", dump(r).c_str());
    cr_assert(has(r, "top f t"), "%s", dump(r).c_str());
    cr_assert_eq(r.entries.size(), 4u, "%s", dump(r).c_str());
}

Test(merge, a_whiteout_that_hides_something_is_not_counted_as_hiding_nothing) {
    auto r = merge({{{'f', "a", "a"}, {'d', "d"}, {'f', "d/x", "x"}}, {{'w', "a"}, {'w', "d/x"}, {'w', "ghost"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert_eq(r.stats.whiteouts_of_nothing, 1u, "%s", dump(r).c_str());
    cr_assert_eq(r.stats.dropped_by_whiteout, 2u, "%s", dump(r).c_str());
}

Test(merge, with_a_kept_base_a_whiteout_of_nothing_is_not_written) {
    auto r = merge({{{'f', "base", "b"}}, {{'f', "mine", "m"}}, {{'w', "ghost"}, {'w', "base"}}}, 1);
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(!has(r, ".wh.ghost f "), "%s", dump(r).c_str());
    cr_assert(has(r, ".wh.base f "), "%s", dump(r).c_str());
    cr_assert_eq(r.stats.whiteouts_of_nothing, 1u, "%s", dump(r).c_str());
    cr_assert_eq(r.stats.markers_kept, 1u, "%s", dump(r).c_str());
}

Test(merge, whiteout_in_the_same_layer_does_not_hide_that_layer) {
    // the marker comes after a file of its own layer: only lower layers are hidden
    auto r = merge({{{'f', "x", "low"}}, {{'f', "x", "same"}, {'w', "x"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(has(r, "x f same"), "%s", dump(r).c_str());
}

Test(merge, a_file_under_an_upper_layer_path_that_a_lower_layer_makes_a_file_is_refused) {
    auto r = merge({{{'f', "p", "file"}}, {{'f', "p/x", "x"}}});
    cr_assert(r.error.find("layer 1: entry p: a non-directory here would cover") != std::string::npos, "%s",
              r.error.c_str());
}

Test(merge, escaping_names_are_refused) {
    auto r = merge({{{'f', "a/../../b", "x"}}});
    cr_assert(r.error.find("layer 1: entry a/../../b: the path climbs out of the image") != std::string::npos, "%s",
              r.error.c_str());
}

Test(merge, with_a_kept_base_markers_that_still_hide_something_stay_first) {
    std::vector<std::vector<E>> layers = {{{'f', "gone", "g"}, {'d', "o"}, {'f', "o/old", "1"}, {'d', "re"}, {'f', "re/x", "x"}},
                                          {{'f', "mine", "m"}},
                                          {{'w', "gone"}, {'w', "mine"}, {'o', "o"}, {'f', "o/new", "2"},
                                           {'d', "re"}, {'f', "re/y", "y"}},
                                          {{'w', "re"}}};
    // --from 1: "gone" and "o" hide base content; "mine" was only in a squashed layer
    auto r = merge(layers, 1);
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(has(r, ".wh.gone f "), "%s", dump(r).c_str());
    cr_assert(has(r, "o/.wh..wh..opq f "), "%s", dump(r).c_str());
    cr_assert(!has(r, ".wh.mine f "), "%s", dump(r).c_str());
    cr_assert(!has(r, "mine f m"), "%s", dump(r).c_str());
    cr_assert(has(r, ".wh.re f "), "%s", dump(r).c_str());
    cr_assert(!has(r, "re/y f y"), "%s", dump(r).c_str());
    cr_assert_eq(r.stats.markers_kept, 3u, "%s", dump(r).c_str());
}

Test(merge, with_a_kept_base_a_whiteout_under_a_new_directory_becomes_opaque) {
    // base has d/old; layer 2 removes d and makes it again: the squashed layer must hide d/old
    std::vector<std::vector<E>> layers = {{{'d', "d"}, {'f', "d/old", "1"}}, {{'d', "d"}, {'f', "d/new", "2"}, {'w', "d"}}};
    auto r = merge(layers, 1);
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(has(r, "d/.wh..wh..opq f "), "%s", dump(r).c_str());
    cr_assert(!has(r, ".wh.d f "), "%s", dump(r).c_str());
    cr_assert(has(r, "d/new f 2"));
}

Test(merge, with_a_kept_base_links_may_point_into_it) {
    auto r = merge({{{'f', "base-file", "b"}}, {{'h', "link", "base-file"}}}, 1);
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert(has(r, "link h base-file"), "%s", dump(r).c_str());
    cr_assert_eq(r.entries.size(), 1u, "%s", dump(r).c_str());
}

Test(merge, no_directory_is_changed_after_its_entry_when_upper_layers_skip_unchanged_parents) {
    // Layer 2 changes usr/share (its entry) and a file in place below directories only layer 1 has,
    // as umoci repack writes layers: the unpacker must not have to create usr/share/locale after
    // applying usr/share's entry.
    auto r = merge({{{'d', "usr"}, {'d', "usr/share"}, {'d', "usr/share/locale"}, {'d', "usr/share/locale/de"},
                     {'f', "usr/share/locale/de/a.mo", "1"}, {'d', "var"}, {'d', "var/lib"}},
                    {{'d', "usr/share", "", 0750}, {'f', "usr/share/locale/de/a.mo", "2"}, {'d', "var/lib", "", 0700},
                     {'d', "var/lib/new"}, {'f', "var/lib/new/x", "x"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    auto changed = directories_changed_after_their_entry(r);
    cr_assert(changed.empty(), "changed after their entry: %s\n%s", joined(changed).c_str(), dump(r).c_str());
    cr_assert(has(r, "usr/share d 750"), "%s", dump(r).c_str());
    cr_assert(has(r, "usr/share/locale d 755"), "%s", dump(r).c_str());
    cr_assert(has(r, "var/lib d 700"), "%s", dump(r).c_str());
    cr_assert(has(r, "usr/share/locale/de/a.mo f 2"), "%s", dump(r).c_str());
    cr_assert_eq(r.entries.size(), 9u, "%s", dump(r).c_str());
}

Test(merge, no_directory_is_changed_after_its_entry_across_whiteouts_and_opaque_directories) {
    auto r = merge({{{'d', "a"}, {'d', "a/b"}, {'d', "a/b/c"}, {'f', "a/b/c/old", "o"}, {'d', "o"}, {'d', "o/keep"},
                     {'f', "o/keep/f", "f"}},
                    {{'d', "a", "", 0711}, {'w', "a/b/c/old"}, {'d', "o", "", 0700}, {'o', "o"}, {'d', "o/new"}},
                    {{'d', "a", "", 0701}, {'f', "a/b/c/new", "n"}, {'f', "o/new/f", "f"}}});
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    auto changed = directories_changed_after_their_entry(r);
    cr_assert(changed.empty(), "changed after their entry: %s\n%s", joined(changed).c_str(), dump(r).c_str());
    cr_assert(has(r, "a d 701"), "%s", dump(r).c_str());
    cr_assert(has(r, "o d 700"), "%s", dump(r).c_str());
    cr_assert(!has(r, "o/keep d 755"), "%s", dump(r).c_str());
    cr_assert(!has(r, "a/b/c/old f o"), "%s", dump(r).c_str());
}

Test(merge, the_same_layers_give_the_same_tar) {
    std::vector<std::vector<E>> layers = {{{'d', "z"}, {'d', "a"}, {'d', "a/b"}, {'f', "a/b/f", "1"}, {'d', "m"}},
                                          {{'d', "m", "", 0700}, {'f', "a/b/f", "2"}, {'f', "z/f", "z"}}};
    auto first = merge(layers), second = merge(layers);
    cr_assert(first.error.empty(), "%s", first.error.c_str());
    cr_assert(first.entries == second.entries, "%s\n----%s", dump(first).c_str(), dump(second).c_str());
}

Test(merge, with_a_kept_base_a_directory_that_replaces_a_base_file_comes_before_what_goes_in_it) {
    // The squashed layer is unpacked over the base, where p is still a file: p/ must replace it
    // before p/x can be created.
    auto r = merge({{{'f', "p", "file"}, {'d', "q"}}, {{'d', "p"}, {'f', "p/x", "x"}, {'d', "q", "", 0700}}}, 1);
    cr_assert(r.error.empty(), "%s", r.error.c_str());
    cr_assert_lt(pos(r, "p d 755"), pos(r, "p/x f x"), "%s", dump(r).c_str());
    cr_assert(has(r, "q d 700"), "%s", dump(r).c_str());
}
