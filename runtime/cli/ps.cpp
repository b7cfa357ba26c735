#include "common/error.h"
#include "common/json.h"
#include "common/strings.h"
#include "common/subprocess.h"
#include "runtime/cli/command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <set>

namespace mogu::cli {
namespace {

// Runs ps(1) with the given options and keeps the header plus the container's processes.
std::string ps_table(const std::vector<pid_t>& pids, std::vector<std::string> ps_args) {
    if (ps_args.empty()) ps_args = {"-ef"};
    std::vector<std::string> argv = {"ps"};
    argv.insert(argv.end(), ps_args.begin(), ps_args.end());
    CommandResult res = run_program(argv);
    if (!res.ok()) throw Error("ps {} failed (status {})", join(ps_args, " "), WEXITSTATUS(res.status));
    auto lines = split(res.output, '\n');
    if (lines.empty()) return "";
    auto header = split(std::string(trim(lines[0])), ' ');
    std::erase(header, "");
    size_t pid_col = header.size();
    for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == "PID") pid_col = i;
    if (pid_col == header.size()) throw Error("ps output has no PID column (options: {})", join(ps_args, " "));
    std::set<pid_t> wanted(pids.begin(), pids.end());
    std::string out = lines[0] + "\n";
    for (size_t i = 1; i < lines.size(); ++i) {
        auto f = split(std::string(trim(lines[i])), ' ');
        std::erase(f, "");
        if (f.size() > pid_col)
            if (auto pid = parse_int(f[pid_col]); pid && wanted.count(static_cast<pid_t>(*pid))) out += lines[i] + "\n";
    }
    return out;
}

int run_ps(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1);
    auto pids = runtime::container_pids(ctx, a.positional()[0]);
    std::string format = a.value_or("format", "table");
    std::string out;
    if (format == "json") {
        JsonWriter w;
        w.begin_array();
        for (pid_t p : pids) w.value(static_cast<long>(p));
        w.end_array();
        out = w.str() + "\n";
    } else if (format == "table") {
        out = ps_table(pids, std::vector<std::string>(a.positional().begin() + 1, a.positional().end()));
    } else {
        throw UsageError("ps: --format must be table or json, not \"{}\"", format);
    }
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

}  // namespace

const Command ps_command = {"ps", "ps [command options] <container-id> [ps options]", "ps displays the processes running inside a container",
                            {{{"format", "f"}, true, false, "table or json"}}, run_ps, FlagPlacement::before_args};

}  // namespace mogu::cli
