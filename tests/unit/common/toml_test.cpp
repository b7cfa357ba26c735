// parse_toml: toml++'s errors, and its own failed checks, as mogu::Errors naming the file.
#include "common/error.h"
#include "common/toml.h"

#include <criterion/criterion.h>

#include <string>

using namespace mogu;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string error_of(const std::string& text) {
    try {
        parse_toml(text, "/etc/mogu/x.toml");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

Test(parse_toml, reads_a_table) {
    auto t = parse_toml("a = 1\n[b]\nc = \"d\"\n", "x.toml");
    cr_assert_eq(t["a"].value<int64_t>().value_or(0), 1);
    cr_assert_eq(t["b"]["c"].value<std::string>().value_or(""), "d");
}

Test(parse_toml, a_syntax_error_names_file_line_and_column) {
    auto e = error_of("a = 1\nb = = 2\n");
    cr_assert(e.starts_with("/etc/mogu/x.toml:2:"), "%s", e.c_str());
}

// toml++ 3.3 asserts on this (abort, or undefined behaviour with NDEBUG); found by fuzzing.
Test(parse_toml, a_table_name_the_parser_trips_on_is_an_error_not_a_crash) {
    for (const char* text : {"[~host]\n", "a = 1\n[~x]\nb = 2\n"}) {
        auto e = error_of(text);
        cr_assert(e.starts_with("/etc/mogu/x.toml: not valid TOML"), "%s", e.c_str());
    }
}

// Beyond ASCII outside strings and comments: refused, at its position, without toml++ 3.3
// meeting it (it would reach __builtin_unreachable() on most such characters; found by fuzzing).
Test(parse_toml, a_character_beyond_ascii_outside_a_string_is_refused_with_its_position) {
    auto e = error_of("a = 1\n  \xc3\xa9 = 2\n");
    cr_assert(e.starts_with("/etc/mogu/x.toml:2:3: "), "%s", e.c_str());
    cr_assert(contains(e, "saw '\xc3\xa9' (the file has a character beyond ASCII there"), "%s", e.c_str());
    e = error_of("\xef\xbb\xbdi999\"m");
    cr_assert(e.starts_with("/etc/mogu/x.toml:1:1: "), "%s", e.c_str());
    cr_assert(contains(e, "beyond ASCII"), "%s", e.c_str());
    e = error_of("s = \"\"\"a\"\"\"\"\" \xc3\xa9\n");
    cr_assert(e.starts_with("/etc/mogu/x.toml:1:15: "), "%s", e.c_str());
    cr_assert(contains(e, "beyond ASCII"), "%s", e.c_str());
    // A quote where TOML has no string does not open one: what follows is code.
    e = error_of("lis.ten = 0.6\"\xd5\xa4\"\n");
    cr_assert(e.starts_with("/etc/mogu/x.toml:1:14: "), "%s", e.c_str());
}

// Valid TOML that toml++ 3.3 cannot read (its issue #190): refused, saying how to write it.
Test(parse_toml, a_line_after_a_line_ending_backslash_may_not_begin_beyond_ascii) {
    auto e = error_of("s = \"\"\"\\\n  \xc2\xa7\"\"\"\n");
    cr_assert(e.starts_with("/etc/mogu/x.toml:2:3: a character beyond ASCII first on a line after a line-ending backslash"), "%s", e.c_str());
    e = error_of("s = \"\"\"\n\\\xc2\xa7\"\"\"\n");
    cr_assert(e.starts_with("/etc/mogu/x.toml:2:2: "), "%s", e.c_str());
    cr_assert(contains(e, "'\\\xc2\xa7'"), "%s", e.c_str());
    auto t = parse_toml("s = \"\"\"\\\n  x\xc2\xa7 \\u00a7\"\"\"\n", "x.toml");
    cr_assert_eq(t["s"].value<std::string>().value_or(""), "x\xc2\xa7 \xc2\xa7");
}

Test(parse_toml, strings_and_comments_keep_any_character) {
    auto t = parse_toml("# caf\xc3\xa9\n"
                        "a = \"caf\xc3\xa9 \\\" \xe5\xae\xb9\xe5\x99\xa8\"  # \xc3\xa9\n"
                        "b = 'caf\xc3\xa9'\n"
                        "c = \"\"\"\n\xc3\xa9 \"\" \"\"\"\n"
                        "d = '''\xc3\xa9''''\n"
                        "\"k\xc3\xa9\" = 1\n",
                        "x.toml");
    cr_assert_eq(t["a"].value<std::string>().value_or(""), "caf\xc3\xa9 \" \xe5\xae\xb9\xe5\x99\xa8");
    cr_assert_eq(t["b"].value<std::string>().value_or(""), "caf\xc3\xa9");
    cr_assert_eq(t["c"].value<std::string>().value_or(""), "\xc3\xa9 \"\" ");
    cr_assert_eq(t["d"].value<std::string>().value_or(""), "\xc3\xa9'");
    cr_assert_eq(t["k\xc3\xa9"].value<int64_t>().value_or(0), 1);
}
