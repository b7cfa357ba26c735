// mogu-flatten: the one place that catches errors, prints them and picks the exit code.
#include "common/error.h"
#include "flattener/cli.h"
#include "flattener/flatten.h"

#include <clocale>
#include <csignal>
#include <cstdio>

namespace {
void on_signal(int) { mogu::flatten::request_stop(); }
}  // namespace

int main(int argc, char** argv) {
    // Entry names are UTF-8 (pax) or raw bytes: a UTF-8 locale lets libarchive pass both through.
    std::setlocale(LC_ALL, "C.UTF-8");
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    try {
        auto opts = mogu::flatten::parse_args(std::vector<std::string>(argv + 1, argv + argc));
        if (!opts) return 0;
        auto summary = mogu::flatten::flatten(*opts);
        if (!opts->quiet) std::fputs(mogu::flatten::format_summary(summary).c_str(), stdout);
        return 0;
    } catch (const mogu::UsageError& e) {
        std::fprintf(stderr, "mogu-flatten: %s\n(see mogu-flatten --help)\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mogu-flatten: %s\n", e.what());
        return 1;
    }
}
