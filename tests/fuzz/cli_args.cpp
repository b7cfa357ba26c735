// Fuzz target: the mogu command line after the global flags, i.e. what main() hands a verb.
// Input: argv tokens separated by NUL bytes; the first token names the verb. The verb's real
// flag table (all_commands(), plus the --help main adds) goes through cli::Args exactly as
// main() does, then the verb's own flag handling runs:
//   - create, run: create_options_from() (their run() would start a container);
//   - spec: only the flags (its run() writes config.json into --bundle);
//   - exec with --process: only the flags (its run() reads that file, or stdin for "-");
//   - top without --once: only the flags (its run() refreshes until q or a signal);
//   - every other verb, and exec without --process: the verb's run() itself, against an empty
//     state directory, so it parses everything and then fails with "container ... does not
//     exist" (or lists nothing). A verb that leaves anything in that directory is a finding.
// Every token also goes through parse_signal, as `kill ID SIGNAL` would send it.
//
// Expected outcome for bad input: mogu::Error (UsageError for bad flags). Anything else is a
// finding: a sanitizer report, a leak, an exception of another type, a hang, or a broken
// promise of the parser (checked below).
#include "common/error.h"
#include "common/cli_args.h"
#include "runtime/cli/command.h"
#include "runtime/cli/create_flags.h"
#include "common/signal_name.h"
#include "tests/fuzz/fuzz_support.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace mogu;

namespace {

runtime::Context ctx;  // root: an empty private directory
// Set as $LISTEN_FDS, as a socket-activated caller (systemd) would: create adds it to --preserve-fds.
constexpr int64_t kListenFds = 2;

std::vector<std::string> split_argv(const uint8_t* data, size_t size) {
    std::vector<std::string> argv;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    size_t start = 0;
    while (start <= in.size()) {
        size_t end = in.find('\0', start);
        if (end == std::string_view::npos) end = in.size();
        argv.emplace_back(in.substr(start, end - start));
        start = end + 1;
    }
    return argv;
}

template <typename F>
void allow_mogu_error(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        fuzz::require(e.what()[0] != '\0', "a mogu::Error with an empty message");
    }
}

void check_signal(const std::string& token) {
    allow_mogu_error([&] {
        int sig = cli::parse_signal(token);
        // 0 is kill(2)'s "is it there" probe, which runc accepts.
        fuzz::require(sig >= 0 && sig < NSIG, "parse_signal returned a number outside 0..NSIG-1");
    });
}

// What Args promises about what it parsed, for every flag of the table.
void check_args(const cli::Args& a, const std::vector<cli::FlagSpec>& flags, const std::vector<std::string>& argv,
                cli::FlagPlacement placement) {
    for (const auto& spec : flags) {
        const std::string& name = spec.names.front();
        auto values = a.values(name);
        if (!spec.repeatable) fuzz::require(values.size() <= 1, "a flag that is not repeatable kept several values");
        if (!spec.takes_value)
            for (const auto& v : values) fuzz::require(v == "true" || v == "false", "a boolean flag holds neither true nor false");
        fuzz::require(a.value(name).has_value() == !values.empty(), "value() and values() disagree");
        allow_mogu_error([&] { (void)a.int_value(name); });
        // Aliases are looked up by their canonical name only.
        for (size_t i = 1; i < spec.names.size(); ++i)
            if (spec.names[i] != name) fuzz::require(a.values(spec.names[i]).empty(), "values stored under an alias");
    }
    const auto& pos = a.positional();
    fuzz::require(pos.size() < argv.size(), "more positional arguments than argv has after the verb");
    if (placement == cli::FlagPlacement::before_args) {
        // Positional arguments are the tail of argv, in order.
        for (size_t i = 0; i < pos.size(); ++i)
            fuzz::require(pos[i] == argv[argv.size() - pos.size() + i], "positional arguments are not argv's tail");
    } else {
        // Flags may stand anywhere: the arguments are still argv's, in their order.
        size_t next = 1;
        for (const auto& p : pos) {
            while (next < argv.size() && argv[next] != p) ++next;
            fuzz::require(next < argv.size(), "a positional argument out of order or not in argv");
            ++next;
        }
    }
    for (auto range : {std::pair<size_t, size_t>{0, 0}, {1, 1}, {1, SIZE_MAX}, {1, 2}})
        allow_mogu_error([&] { a.require_positional(range.first, range.second); });
}

bool is(const cli::Command& c, const char* name) { return std::string_view(c.name) == name; }

void run_verb(const cli::Command& command, const cli::Args& a) {
    if (is(command, "create") || is(command, "run")) {
        allow_mogu_error([&] {
            a.require_positional(1, 1);
            runtime::CreateOptions o = cli::create_options_from(a);
            fuzz::require(o.id == a.positional()[0], "create options lost the container id");
            fuzz::require(o.preserve_fds >= 0, "create options hold a negative --preserve-fds");
            // What the user asked for plus $LISTEN_FDS, not a truncated or wrapped number.
            auto asked = a.int_value("preserve-fds").value_or(0);
            fuzz::require(o.preserve_fds == asked + kListenFds, "--preserve-fds was changed on its way to the runtime");
        });
        return;
    }
    if (is(command, "spec")) return;
    if (is(command, "exec") && a.value("process")) return;
    if (is(command, "top") && !a.flag("once")) return;
    allow_mogu_error([&] { command.run(ctx, a); });
    fuzz::require(fuzz::first_entry(ctx.root).empty(), "a verb on a missing container left something in the state directory");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    ctx.root = fuzz::make_temp_dir("mogu-fuzz-cli") + "/state";
    fuzz::make_dir(ctx.root);
    ::setenv("LISTEN_FDS", std::to_string(kListenFds).c_str(), 1);
    // `features` prints its JSON; libFuzzer reports on stderr, so stdout can go.
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null < 0 || ::dup2(null, STDOUT_FILENO) < 0) std::abort();
    ::close(null);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> argv = split_argv(data, size);
    for (const auto& token : argv) check_signal(token);

    const cli::Command* command = nullptr;
    for (const auto* c : cli::all_commands())
        if (argv[0] == c->name) command = c;
    if (!command) return 0;  // main() stops here with "unknown command"

    // As main() does: the verb's table plus --help, parsing from the token after the verb.
    std::vector<cli::FlagSpec> flags = command->flags;
    flags.push_back({{"help", "h"}, false, false, "show help"});
    try {
        cli::Args parsed(command->name, flags, argv, 1, command->flag_placement);
        check_args(parsed, flags, argv, command->flag_placement);
        if (parsed.flag("help")) {
            fuzz::require(!cli::flags_help(flags).empty(), "empty help text");
            return 0;
        }
        run_verb(*command, parsed);
    } catch (const Error& e) {
        fuzz::require(e.what()[0] != '\0', "a mogu::Error with an empty message");
    }
    // Any other exception escapes to libFuzzer, which reports it as a crash with the input.
    return 0;
}
