#include "snapshotter/config.h"
#include "snapshotter/sizes.h"

#include <criterion/criterion.h>

#include <string>

using namespace mogu::snap;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "snap.toml");
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

Test(config, reads_containerd_devmapper_keys) {
    auto c = parse_config("pool_name = \"p\"\nroot_path = \"/r\"\nbase_image_size = \"1GB\"\nfs_type = \"xfs\"\n"
                          "fs_options = \"-m crc=1\"\nasync_remove = true\ndiscard_blocks = false\n",
                          "snap.toml");
    cr_assert_eq(c.pool_name, "p");
    cr_assert_eq(c.db_path(), "/r/metadata.db");
    cr_assert_eq(c.base_image_size, 1000000000ULL);
    cr_assert_eq(c.fs_type, "xfs");
    cr_assert_eq(c.fs_options.size(), 2u);
    cr_assert(c.async_remove);
}

Test(config, reserve_takes_a_size_or_a_percentage) {
    auto a = parse_config("pool_name = \"p\"\nreserve = \"128MiB\"\n", "x");
    cr_assert_eq(a.reserve_for(1ULL << 30), 128ULL << 20);
    auto b = parse_config("pool_name = \"p\"\nreserve = \"10%\"\n", "x");
    cr_assert_eq(b.reserve_for(1000), 100u);
}

Test(config, refuses_discard_blocks) {
    auto e = error_of("pool_name = \"p\"\ndiscard_blocks = true\n");
    cr_assert(contains(e, "snap.toml: discard_blocks"), "%s", e.c_str());
    cr_assert(contains(e, "never discards"), "%s", e.c_str());
}

Test(config, names_an_unknown_key) {
    auto e = error_of("pool_name = \"p\"\npoolname = \"q\"\n");
    cr_assert(contains(e, "unknown key \"poolname\""), "%s", e.c_str());
}

Test(config, names_a_bad_size) {
    auto e = error_of("pool_name = \"p\"\nbase_image_size = \"ten gigs\"\n");
    cr_assert(contains(e, "snap.toml: base_image_size"), "%s", e.c_str());
}

Test(config, requires_a_pool_name_of_safe_characters) {
    cr_assert(contains(error_of(""), "pool_name: missing"));
    cr_assert(contains(error_of("pool_name = \"a/b\"\n"), "only hold letters"));
}

Test(config, refuses_an_overprovision_ratio_below_one) {
    cr_assert(contains(error_of("pool_name = \"p\"\noverprovision_ratio = 0.5\n"), "overprovision_ratio"));
}

Test(config, reports_toml_syntax_errors_with_a_position) {
    auto e = error_of("pool_name = [\n");
    cr_assert(contains(e, "snap.toml:"), "%s", e.c_str());
}

Test(sizes, parses_decimal_and_binary_units) {
    cr_assert_eq(parse_size("10GB").value(), 10000000000ULL);
    cr_assert_eq(parse_size("512MiB").value(), 512ULL << 20);
    cr_assert_eq(parse_size("64K").value(), 65536u);
    cr_assert_eq(parse_size("4096").value(), 4096u);
    cr_assert_not(parse_size("").has_value());
    cr_assert_not(parse_size("12XB").has_value());
    cr_assert_not(parse_size("-1G").has_value());
    cr_assert_not(parse_size("99999999999999999999").has_value());
}

Test(sizes, formats_for_people) {
    cr_assert_eq(format_size(100), "100 B");
    cr_assert_eq(format_size(896ULL << 20), "896.0 MiB");
    cr_assert_eq(format_size(3ULL << 30), "3.0 GiB");
}
