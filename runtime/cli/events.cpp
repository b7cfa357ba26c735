#include "common/error.h"
#include "common/strings.h"
#include "runtime/cli/command.h"
#include "runtime/cli/duration.h"
#include "common/json.h"
#include "runtime/stats_event.h"

#include <poll.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace mogu::cli {
namespace {

int run_events(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    const std::string& id = a.positional()[0];
    auto interval = parse_duration(a.value_or("interval", "5s"), "events: --interval");
    if (a.flag("stats")) {
        std::string line = runtime::stats_event_json(id, runtime::stats(ctx, id)) + "\n";
        fwrite(line.data(), 1, line.size(), stdout);
        return 0;
    }
    // Streams a stats record every interval, and an oom record when the kernel kills a process
    // for memory, until the container stops.
    auto oom = runtime::watch_oom(ctx, id);
    auto emit = [](const std::string& line) {
        fwrite(line.data(), 1, line.size(), stdout);
        fputc('\n', stdout);
        fflush(stdout);
    };
    for (;;) {
        auto view = runtime::query(ctx, id);
        if (view.status == runtime::Status::stopped) return 0;
        emit(runtime::stats_event_json(id, runtime::stats(ctx, id)));
        auto deadline = std::chrono::steady_clock::now() + interval;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            if (!oom || oom->cgroup_removed()) {
                std::this_thread::sleep_for(left);
                break;
            }
            struct pollfd p = {oom->fd(), POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) > 0 && oom->consume() > 0) {
                JsonWriter w;
                w.begin_object().kv("type", "oom").kv("id", id).end_object();
                emit(w.str());
            }
        }
    }
}

}  // namespace

const Command events_command = {"events",
                                "events [command options] <container-id>",
                                "display container events such as resource usage",
                                {{{"interval"}, true, false, "the interval between stats records (default 5s)"},
                                 {{"stats"}, false, false, "print the container's stats once and exit"}},
                                run_events};

}  // namespace mogu::cli
