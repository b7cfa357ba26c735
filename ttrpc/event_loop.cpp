#include "ttrpc/event_loop.h"

#include "common/error.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <cerrno>

namespace mogu::ttrpc {

EventLoop::EventLoop()
    : epoll_(check(epoll_create1(EPOLL_CLOEXEC), "epoll_create1")),
      wake_(check(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd")) {
    add(wake_.get(), EPOLLIN, [this](uint32_t) {
        uint64_t v;
        while (::read(wake_.get(), &v, sizeof v) > 0) {
        }
        drain_posted();
    });
}

void EventLoop::add(int fd, uint32_t events, Handler handler) {
    struct epoll_event ev {};
    ev.events = events;
    ev.data.fd = fd;
    check(epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev), "epoll add fd {}", fd);
    handlers_[fd] = std::make_shared<Handler>(std::move(handler));
}

void EventLoop::modify(int fd, uint32_t events) {
    struct epoll_event ev {};
    ev.events = events;
    ev.data.fd = fd;
    check(epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev), "epoll modify fd {}", fd);
}

void EventLoop::remove(int fd) {
    if (handlers_.erase(fd) == 0) return;
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::post(std::function<void()> fn) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        posted_.push_back(std::move(fn));
    }
    uint64_t one = 1;
    ssize_t n = ::write(wake_.get(), &one, sizeof one);
    (void)n;  // a full eventfd counter still wakes the loop
}

void EventLoop::drain_posted() {
    for (;;) {
        std::function<void()> fn;
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (posted_.empty()) return;
            fn = std::move(posted_.front());
            posted_.pop_front();
        }
        fn();
    }
}

void EventLoop::run_once(int timeout_ms) {
    struct epoll_event events[32];
    int n = epoll_wait(epoll_.get(), events, 32, timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return;
        throw SysError(errno, "epoll_wait");
    }
    for (int i = 0; i < n && !stopped_; i++) {
        auto it = handlers_.find(events[i].data.fd);
        if (it == handlers_.end()) continue;  // removed by an earlier handler in this round
        auto handler = it->second;            // keeps the callable alive while it runs
        (*handler)(events[i].events);
    }
}

void EventLoop::run() {
    while (!stopped_) run_once(-1);
}

}  // namespace mogu::ttrpc
