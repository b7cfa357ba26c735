#include "common/error.h"
#include "runtime/cli/command.h"
#include "runtime/cli/output.h"

#include <cstdio>

namespace mogu::cli {

static int run_list(const runtime::Context& ctx, const Args& a) {
    a.require_positional(0, 0);
    auto views = runtime::list(ctx);
    std::string format = a.value_or("format", "table");
    std::string out;
    if (a.flag("quiet")) {
        for (const auto& v : views) out += v.state.id + "\n";
    } else if (format == "json") {
        out = list_json(views);
    } else if (format == "table") {
        out = list_table(views);
    } else {
        throw UsageError("list: --format must be table or json, not \"{}\"", format);
    }
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

const Command list_command = {"list",
                              "list [command options]",
                              "lists containers started by mogu with the given root",
                              {{{"format", "f"}, true, false, "table or json"}, {{"quiet", "q"}, false, false, "display only container IDs"}},
                              run_list};

}  // namespace mogu::cli
