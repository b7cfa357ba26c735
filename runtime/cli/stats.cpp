// mogu stats [ID...]: each container's CPU, memory, IO, PIDs, load and OOM kills, once: the
// numbers of `mogu top`, for scripts (--format json) and for a look without a live view.
#include "common/error.h"
#include "runtime/cli/command.h"
#include "runtime/cli/duration.h"
#include "runtime/top/rows.h"

#include <cstdio>
#include <thread>

namespace mogu::cli {

static int run_stats(const runtime::Context& ctx, const Args& a) {
    std::string format = a.value_or("format", "table");
    if (format != "table" && format != "json") throw UsageError("stats: --format must be table or json, not \"{}\"", format);
    runtime::top::SampleOptions opts{{ctx.root}, a.positional()};
    // Rates need two looks: this far apart.
    auto interval = parse_duration(a.value_or("interval", "500ms"), "stats: --interval");
    // The load average comes from the second look only: one helper per container, not two.
    opts.read_load = false;
    auto before = runtime::top::take_sample(opts);
    opts.read_load = true;
    for (const auto& id : opts.ids) {
        bool found = false;
        for (const auto& c : before.containers) found |= c.id == id;
        if (!found) throw Error("container {} does not exist", id);
    }
    std::this_thread::sleep_for(interval);
    auto rows = runtime::top::make_rows(before, runtime::top::take_sample(opts));
    runtime::top::sort_rows(rows, runtime::top::SortKey::id);
    std::string out = format == "json" ? runtime::top::render_json(rows) : runtime::top::render_table(rows, 4096);
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

const Command stats_command = {"stats",
                               "stats [command options] [<container-id>...]",
                               "print containers' CPU, memory, IO, PIDs, load average and OOM kills once",
                               {{{"format", "f"}, true, false, "table (default) or json"},
                                {{"interval"}, true, false, "time between the two looks rates are made from (default 500ms)"}},
                               run_stats};

}  // namespace mogu::cli
