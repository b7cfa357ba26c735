// A one-line progress display on a terminal (layers, bytes, rate), redrawn twice a second by a
// thread of its own, erased when done.
#pragma once

#include "flattener/layer_reader.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace mogu::flatten {

class Progress {
public:
    // Draws on stderr when `enabled` and stderr is a terminal; otherwise does nothing.
    Progress(bool enabled, const ReadCounters& counters, const std::atomic<uint64_t>& written);
    ~Progress();
    void set_layer(size_t done, size_t total);

private:
    void run();
    const ReadCounters& counters_;
    const std::atomic<uint64_t>& written_;
    std::atomic<size_t> done_{0}, total_{0};
    std::chrono::steady_clock::time_point start_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    bool drawn_ = false;
    std::thread thread_;
};

std::string human_bytes(uint64_t n);

}  // namespace mogu::flatten
