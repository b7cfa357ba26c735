// mogu top: a live, refreshing view of every container under --root (or, with --all, under every
// root mogu and its shim use), like `docker stats` and htop: CPU %, memory used / limit, IO rates,
// PIDs, load average, OOM kills and status. Keys: c m i p l n sort by CPU, memory, IO, PIDs, load,
// name; q quits. --once prints one refresh; --format json prints one JSON array per refresh.
#include "common/error.h"
#include "runtime/cli/command.h"
#include "runtime/cli/duration.h"
#include "runtime/top/rows.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace mogu::cli {
namespace {

volatile sig_atomic_t g_stop = 0;
void on_stop(int) { g_stop = 1; }

// The terminal in a mode that hands us single keys without echo; restored on the way out.
class KeyInput {
public:
    KeyInput() {
        if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &saved_) < 0) return;
        struct termios raw = saved_;
        raw.c_lflag &= ~(ICANON | ECHO);
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    ~KeyInput() {
        if (active_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    }
    KeyInput(const KeyInput&) = delete;
    KeyInput& operator=(const KeyInput&) = delete;
    // Waits up to `timeout` for a key; 0 when none came.
    char wait_key(std::chrono::milliseconds timeout) {
        if (!active_) {
            std::this_thread::sleep_for(timeout);
            return 0;
        }
        struct pollfd p = {STDIN_FILENO, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return 0;
        char c = 0;
        return ::read(STDIN_FILENO, &c, 1) == 1 ? c : 0;
    }

private:
    struct termios saved_ {};
    bool active_ = false;
};

size_t terminal_width() {
    struct winsize ws;
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 4096;  // not a terminal: whole lines
}

std::string now_text() {
    time_t t = ::time(nullptr);
    struct tm tm;
    ::localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
    return buf;
}

runtime::top::SortKey key_for(char c, runtime::top::SortKey current) {
    switch (c) {
        case 'c': return runtime::top::SortKey::cpu;
        case 'm': return runtime::top::SortKey::memory;
        case 'i': return runtime::top::SortKey::io;
        case 'p': return runtime::top::SortKey::pids;
        case 'l': return runtime::top::SortKey::load;
        case 'n': return runtime::top::SortKey::id;
        default: return current;
    }
}

void print(const std::string& text) {
    fwrite(text.data(), 1, text.size(), stdout);
    fflush(stdout);
}

}  // namespace

static int run_top(const runtime::Context& ctx, const Args& a) {
    a.require_positional(0, 0);
    std::string format = a.value_or("format", "table");
    if (format != "table" && format != "json") throw UsageError("top: --format must be table or json, not \"{}\"", format);
    auto sort = runtime::top::parse_sort_key(a.value_or("sort", "cpu"));
    if (!sort) throw UsageError("top: --sort must be cpu, mem, io, pids, load or id, not \"{}\"", a.value_or("sort", ""));
    auto interval = parse_duration(a.value_or("interval", "2s"), "top: --interval");
    runtime::top::SampleOptions opts;
    opts.roots = a.flag("all") ? runtime::top::known_roots() : std::vector<std::string>{ctx.root};

    // A row's load average is the later look's: the first look does not read it.
    opts.read_load = false;
    auto before = runtime::top::take_sample(opts);
    if (a.flag("once")) {
        std::this_thread::sleep_for(std::min(interval, std::chrono::milliseconds(1000)));
        opts.read_load = true;
        auto rows = runtime::top::make_rows(before, runtime::top::take_sample(opts));
        runtime::top::sort_rows(rows, *sort);
        print(format == "json" ? runtime::top::render_json(rows) : runtime::top::render_table(rows, 4096));
        return 0;
    }

    struct sigaction sa = {};
    sa.sa_handler = on_stop;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    KeyInput keys;
    bool live = format == "table" && ::isatty(STDOUT_FILENO);
    // LXCFS updates load averages every 5 s: read them (a helper process per container) no more often.
    auto last_load = std::chrono::steady_clock::now() - std::chrono::seconds(10);
    std::vector<runtime::top::Row> rows;
    while (!g_stop) {
        char key = keys.wait_key(interval);
        if (key == 'q') break;
        *sort = key_for(key, *sort);
        auto now_clock = std::chrono::steady_clock::now();
        opts.read_load = now_clock - last_load >= std::chrono::seconds(5);
        if (opts.read_load) last_load = now_clock;
        auto now = runtime::top::take_sample(opts);
        auto fresh = runtime::top::make_rows(before, now);
        // Between load readings a row keeps the last load it had.
        for (auto& r : fresh)
            if (!opts.read_load)
                for (const auto& old : rows)
                    if (old.id == r.id && old.root == r.root) r.load1 = old.load1;
        rows = std::move(fresh);
        before = std::move(now);
        runtime::top::sort_rows(rows, *sort);
        if (format == "json") {
            print(runtime::top::render_json(rows));
            continue;
        }
        std::string screen = live ? "\033[H\033[2J" : "";
        screen += fmt::format("mogu top - {}  {} containers  every {} ms  sort: keys c m i p l n, q quits\n\n", now_text(), rows.size(),
                              interval.count());
        screen += runtime::top::render_table(rows, terminal_width());
        print(screen);
    }
    return 0;
}

const Command top_command = {"top",
                             "top [command options]",
                             "a live view of the containers' CPU, memory, IO, PIDs, load average and OOM kills",
                             {{{"all", "a"}, false, false, "every root mogu and the mogu shim keep state in, not only --root"},
                              {{"sort", "s"}, true, false, "cpu (default), mem, io, pids, load or id"},
                              {{"interval", "n"}, true, false, "time between refreshes (default 2s)"},
                              {{"once"}, false, false, "print one refresh and exit"},
                              {{"format", "f"}, true, false, "table (default) or json"}},
                             run_top};

}  // namespace mogu::cli
