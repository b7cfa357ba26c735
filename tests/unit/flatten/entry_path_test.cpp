#include "flattener/entry_path.h"

#include <criterion/criterion.h>

using mogu::flatten::normalize_entry_path;

Test(entry_path, strips_dot_slash_and_leading_slashes) {
    cr_assert_eq(*normalize_entry_path("./usr/bin/"), "usr/bin");
    cr_assert_eq(*normalize_entry_path("/etc//passwd"), "etc/passwd");
    cr_assert_eq(*normalize_entry_path("./"), "");
    cr_assert_eq(*normalize_entry_path("a/./b/../c"), "a/c");
}

Test(entry_path, refuses_climbing_out_of_the_root) {
    cr_assert(!normalize_entry_path("../x"));
    cr_assert(!normalize_entry_path("a/../../x"));
    cr_assert(!normalize_entry_path("/../etc/passwd"));
}

Test(entry_path, keeps_odd_but_legal_names) {
    cr_assert_eq(*normalize_entry_path("..."), "...");
    cr_assert_eq(*normalize_entry_path("a/..b"), "a/..b");
    cr_assert_eq(*normalize_entry_path(".wh..wh..opq"), ".wh..wh..opq");
}
