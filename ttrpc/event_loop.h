// A single-threaded epoll loop: fd readiness callbacks, and work posted from other threads.
// The shim runs every RPC, every reap and every console copy on this one thread.
#pragma once

#include "common/fd.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace mogu::ttrpc {

class EventLoop {
public:
    using Handler = std::function<void(uint32_t events)>;

    EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Watches fd (not owned) for `events` (EPOLLIN, EPOLLOUT, ...). One handler per fd.
    void add(int fd, uint32_t events, Handler handler);
    void modify(int fd, uint32_t events);
    // Safe to call from inside a handler, including the fd's own.
    void remove(int fd);
    bool watching(int fd) const { return handlers_.count(fd) != 0; }

    // Runs fn on the loop thread. Thread-safe.
    void post(std::function<void()> fn);
    // Runs until stop(). Handler exceptions propagate out of run().
    void run();
    // Runs one round of ready handlers, waiting at most timeout_ms (-1: forever).
    void run_once(int timeout_ms);
    void stop() { stopped_ = true; }
    bool stopped() const { return stopped_; }

private:
    void drain_posted();
    UniqueFd epoll_;
    UniqueFd wake_;  // eventfd that post() writes
    std::unordered_map<int, std::shared_ptr<Handler>> handlers_;
    std::mutex mu_;
    std::deque<std::function<void()>> posted_;
    bool stopped_ = false;
};

}  // namespace mogu::ttrpc
