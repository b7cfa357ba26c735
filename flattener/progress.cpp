#include "flattener/progress.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>

namespace mogu::flatten {

std::string human_bytes(uint64_t n) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}

Progress::Progress(bool enabled, const ReadCounters& counters, const std::atomic<uint64_t>& written)
    : counters_(counters), written_(written), start_(std::chrono::steady_clock::now()) {
    if (enabled && ::isatty(STDERR_FILENO)) thread_ = std::thread([this] { run(); });
}

Progress::~Progress() {
    {
        std::lock_guard lk(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (drawn_) std::fputs("\r\033[K", stderr);
}

void Progress::set_layer(size_t done, size_t total) {
    done_ = done;
    total_ = total;
}

void Progress::run() {
    std::unique_lock lk(mu_);
    while (!cv_.wait_for(lk, std::chrono::milliseconds(500), [&] { return stop_; })) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        uint64_t in = counters_.uncompressed;
        std::string line = fmt::format("\r\033[Kmogu-flatten: layer {}/{}  read {} ({} stored)  {}/s  wrote {}",
                                       std::min(done_ + 1, total_.load()), total_.load(), human_bytes(in),
                                       human_bytes(counters_.stored), human_bytes(static_cast<uint64_t>(in / secs)),
                                       human_bytes(written_));
        std::fputs(line.c_str(), stderr);
        std::fflush(stderr);
        drawn_ = true;
    }
}

}  // namespace mogu::flatten
