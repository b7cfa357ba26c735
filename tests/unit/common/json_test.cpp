#include "common/error.h"
#include "common/json.h"

#include <criterion/criterion.h>

using namespace mogu;

Test(json, reports_syntax_error_with_source_name) {
    try {
        JsonDoc::parse("{\"a\": ", "config.json");
        cr_assert_fail("no error");
    } catch (const Error& e) {
        cr_assert(std::string(e.what()).starts_with("config.json: invalid JSON"), "%s", e.what());
    }
}

Test(json, type_error_names_the_path) {
    auto doc = JsonDoc::parse(R"({"linux":{"resources":{"memory":{"limit":"lots"}}}})", "x");
    try {
        doc.root().get("linux")->get("resources")->get("memory")->get("limit")->as_int();
        cr_assert_fail("no error");
    } catch (const SpecError& e) {
        cr_assert_str_eq(e.what(), "linux.resources.memory.limit: expected an integer, got string");
    }
}

Test(json, array_paths_carry_the_index) {
    auto doc = JsonDoc::parse(R"({"a":[1,"x"]})", "x");
    auto a = doc.root().get("a");
    std::string path = a->at(1).path();
    cr_assert_str_eq(path.c_str(), "a[1]");
}

Test(json, uint64_max_survives_a_round_trip) {
    auto doc = JsonDoc::parse(R"({"v":18446744073709551615})", "x");
    cr_assert_eq(doc.root().get("v")->as_uint(), UINT64_MAX);
    JsonWriter w;
    w.value(doc.root());
    std::string out = w.str();
    cr_assert_str_eq(out.c_str(), R"({"v":18446744073709551615})");
}

Test(json, negative_is_rejected_as_unsigned) {
    auto doc = JsonDoc::parse(R"({"v":-1})", "x");
    cr_assert_throw(doc.root().get("v")->as_uint(), SpecError);
}

Test(json, writer_escapes_strings) {
    JsonWriter w;
    w.begin_object().kv("msg", "say \"hi\"\n").end_object();
    std::string out = w.str();
    cr_assert_str_eq(out.c_str(), R"({"msg":"say \"hi\"\n"})");
}

Test(json, null_member_reads_as_absent) {
    auto doc = JsonDoc::parse(R"({"a":null})", "x");
    cr_assert(!doc.root().get("a").has_value());
}

Test(json, keys_match_ignoring_case_and_the_last_one_wins_as_in_go) {
    auto doc = JsonDoc::parse(R"({"pagesize": "2MB", "Limit": 1, "limit": 2, "other": true})", "t");
    auto root = doc.root();
    cr_assert_eq(root.get("pageSize")->as_string(), "2MB");
    cr_assert_eq(root.get("limit")->as_int(), 2);
    // Errors name the key as the document spells it.
    cr_assert_eq(root.get("PAGESIZE")->path(), "pagesize");
    cr_assert(!root.get("missing"));
}
