#include "common/error.h"
#include "common/strings.h"
#include "runtime/cli/command.h"
#include "common/json.h"
#include "runtime/cli/stats_json.h"

#include <poll.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace mogu::cli {
namespace {

// Go durations: "5s", "100ms", "1m", "1m30s", "1.5s". At most a day: a stats stream that
// waits longer is a typo, and bounding it keeps the arithmetic exact.
std::chrono::milliseconds parse_duration(const std::string& s) {
    auto bad = [&](const char* why) { return UsageError("events: --interval \"{}\" {} (a duration like 5s or 500ms)", s, why); };
    if (s.empty()) throw bad("is empty");
    constexpr double kMaxMs = 24.0 * 3600 * 1000;
    double total_ms = 0;
    size_t i = 0;
    while (i < s.size()) {
        size_t start = i;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
        std::string number = s.substr(start, i - start);
        char* end = nullptr;
        double n = std::strtod(number.c_str(), &end);
        if (number.empty() || end != number.c_str() + number.size()) throw bad("is not a number followed by a unit");
        size_t ustart = i;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
        std::string unit = s.substr(ustart, i - ustart);
        if (unit == "ms") total_ms += n;
        else if (unit == "s") total_ms += n * 1000;
        else if (unit == "m") total_ms += n * 60000;
        else if (unit == "h") total_ms += n * 3600000;
        else throw bad("has an unknown unit");
        if (!(total_ms <= kMaxMs)) throw bad("is longer than a day");
    }
    if (total_ms < 1) throw bad("is shorter than a millisecond");
    return std::chrono::milliseconds(static_cast<long>(total_ms));
}

int run_events(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    const std::string& id = a.positional()[0];
    auto interval = parse_duration(a.value_or("interval", "5s"));
    if (a.flag("stats")) {
        std::string line = stats_event_json(id, runtime::stats(ctx, id)) + "\n";
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
        emit(stats_event_json(id, runtime::stats(ctx, id)));
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
