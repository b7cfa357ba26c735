// The monitor's HTTP listener: libmicrohttpd with one internal polling thread (epoll), so
// serving scrapes never adds a thread per connection. GET /metrics returns the last rendered
// exposition without copying it; everything else is 404 (405 for methods other than GET/HEAD).
#pragma once

#include "monitor/config.h"

#include <functional>
#include <memory>
#include <string>

struct MHD_Daemon;

namespace mogu::monitor {

class HttpListener {
public:
    // Called from the listener's thread for every scrape: the text to serve.
    using MetricsSource = std::function<std::shared_ptr<const std::string>()>;

    // Binds and listens (errors name the address), then starts serving.
    HttpListener(const ListenAddress& address, MetricsSource metrics);
    ~HttpListener();
    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    // Where it listens (the port the kernel chose when the config said 0).
    const ListenAddress& address() const { return bound_; }
    const MetricsSource& metrics() const { return metrics_; }

private:
    ListenAddress bound_;
    MetricsSource metrics_;
    MHD_Daemon* daemon_ = nullptr;
};

}  // namespace mogu::monitor
