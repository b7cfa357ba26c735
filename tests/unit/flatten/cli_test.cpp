#include "common/error.h"
#include "flattener/cli.h"

#include <criterion/criterion.h>

using namespace mogu::flatten;

namespace {
std::string usage_error(std::vector<std::string> args) {
    try {
        parse_args(args);
    } catch (const mogu::UsageError& e) {
        return e.what();
    }
    return "";
}
void expect_error(std::vector<std::string> args, const std::string& want) {
    std::string got = usage_error(std::move(args));
    cr_assert_str_eq(got.c_str(), want.c_str());
}
}  // namespace

Test(cli, parses_every_option) {
    auto o = parse_args({"--ref", "r", "--format=docker", "--output-type", "tar", "--from", "2", "--compression",
                         "zstd", "--level", "5", "--threads", "3", "--keep-history", "--no-progress", "-q", "in",
                         "out"});
    cr_assert(o);
    cr_assert_eq(o->ref, "r");
    cr_assert(o->format == ImageFormat::docker);
    cr_assert(*o->output_tar);
    cr_assert_eq(o->from, 2);
    cr_assert(o->compression == Compression::zstd);
    cr_assert_eq(*o->level, 5);
    cr_assert_eq(o->threads, 3);
    cr_assert(o->keep_history && !o->progress && o->quiet);
    cr_assert_eq(o->input, "in");
    cr_assert_eq(o->output, "out");
}

Test(cli, bad_flags_name_the_flag) {
    expect_error({"--nope", "a", "b"}, "unknown option --nope");
    expect_error({"--from", "x", "a", "b"}, "--from: expected a number 0..100000, got \"x\"");
    expect_error({"--threads", "0", "a", "b"}, "--threads: expected a number 1..1024, got \"0\"");
    expect_error({"--format", "tar", "a", "b"}, "--format: expected oci or docker, got \"tar\"");
    expect_error({"--compression", "none", "--level", "3", "a", "b"}, "--level: --compression none has no level");
    expect_error({"a"}, "expected INPUT and OUTPUT, got 1 argument");
    expect_error({"--ref"}, "--ref needs a value");
}
