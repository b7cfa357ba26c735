// The flag parser reads command lines the way runc's does (go-runc and Docker rely on it).
#include "common/error.h"
#include "common/cli_args.h"
#include "common/signal_name.h"

#include <criterion/criterion.h>

#include <signal.h>

using namespace mogu;
using namespace mogu::cli;

namespace {

const std::vector<FlagSpec> kFlags = {
    {{"bundle", "b"}, true, false, ""},
    {{"detach", "d"}, false, false, ""},
    {{"env", "e"}, true, true, ""},
};

Args parse(std::vector<std::string> argv) { return Args("test", kFlags, argv, 0); }

}  // namespace

Test(cli_args, accepts_double_and_single_dash_long_flags) {
    auto a = parse({"--bundle", "/b", "id"});
    cr_assert_eq(a.value("bundle").value(), "/b");
    auto b = parse({"-bundle", "/c", "id"});
    cr_assert_eq(b.value("bundle").value(), "/c");
    auto c = parse({"-b=/d", "id"});
    cr_assert_eq(c.value("bundle").value(), "/d");
}

Test(cli_args, booleans_take_an_optional_value) {
    cr_assert(parse({"--detach", "id"}).flag("detach"));
    cr_assert(parse({"-d", "id"}).flag("detach"));
    cr_assert(!parse({"--detach=false", "id"}).flag("detach"));
    cr_assert(parse({"--detach=true", "id"}).flag("detach"));
    cr_assert_throw(parse({"--detach=maybe", "id"}), UsageError);
}

Test(cli_args, stops_at_the_first_positional_argument) {
    auto a = parse({"id", "sh", "-c", "echo", "--bundle"});
    cr_assert_eq(a.positional().size(), 5u);
    cr_assert(!a.value("bundle"));
}

Test(cli_args, known_flags_after_the_arguments_are_taken_as_urfave_cli_reorders_them) {
    Args a("test", kFlags, {"id", "--bundle", "/b", "-d", "extra", "--unknown"}, 0, FlagPlacement::anywhere);
    cr_assert_eq(a.value("bundle").value(), "/b");
    cr_assert(a.flag("detach"));
    // Unknown flags and arguments stay arguments, in order.
    cr_assert_eq(a.positional().size(), 3u);
    cr_assert_eq(a.positional()[0], "id");
    cr_assert_eq(a.positional()[1], "extra");
    cr_assert_eq(a.positional()[2], "--unknown");
    // After "--" nothing is a flag; Go's parser then stops at "id" and keeps "--" as an argument.
    Args b("test", kFlags, {"id", "--", "--bundle", "/b"}, 0, FlagPlacement::anywhere);
    cr_assert(!b.value("bundle"));
    cr_assert_eq(b.positional().size(), 4u);
    Args c("test", kFlags, {"id", "--bundle=/c"}, 0, FlagPlacement::anywhere);
    cr_assert_eq(c.value("bundle").value(), "/c");
}

Test(cli_args, double_dash_ends_flags) {
    auto a = parse({"--", "-d"});
    cr_assert_eq(a.positional().size(), 1u);
    cr_assert(!a.flag("detach"));
}

Test(cli_args, repeatable_flags_collect_every_value) {
    auto a = parse({"-e", "A=1", "--env", "B=2", "id"});
    auto v = a.values("env");
    cr_assert_eq(v.size(), 2u);
    cr_assert_eq(v[1], "B=2");
}

Test(cli_args, unknown_flag_is_named) {
    try {
        parse({"--bundel", "x"});
        cr_assert_fail("accepted");
    } catch (const UsageError& e) {
        cr_assert(std::string(e.what()).find("unknown flag --bundel") != std::string::npos, "%s", e.what());
    }
}

Test(cli_args, missing_value_is_named) {
    try {
        parse({"--bundle"});
        cr_assert_fail("accepted");
    } catch (const UsageError& e) {
        cr_assert(std::string(e.what()).find("--bundle needs a value") != std::string::npos, "%s", e.what());
    }
}

Test(cli_args, positional_count_uses_runc_wording) {
    auto a = parse({});
    try {
        a.require_positional(1, 1);
        cr_assert_fail("accepted");
    } catch (const UsageError& e) {
        cr_assert_str_eq(e.what(), "\"test\" requires exactly 1 argument(s)");
    }
}

Test(signal_name, parses_numbers_names_and_sig_prefixes) {
    cr_assert_eq(parse_signal("9"), SIGKILL);
    cr_assert_eq(parse_signal("KILL"), SIGKILL);
    cr_assert_eq(parse_signal("SIGKILL"), SIGKILL);
    cr_assert_eq(parse_signal("sigterm"), SIGTERM);
    cr_assert_eq(parse_signal("RTMIN+2"), SIGRTMIN + 2);
    cr_assert_throw(parse_signal("SIGNOPE"), UsageError);
    cr_assert_eq(parse_signal("0"), 0);  // checks the container runs, as kill(2) does
    cr_assert_throw(parse_signal("-1"), UsageError);
    cr_assert_throw(parse_signal("99"), UsageError);
}
