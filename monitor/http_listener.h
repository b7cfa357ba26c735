// The monitor's HTTP listener: libevent's evhttp on one thread of its own (epoll), so serving
// scrapes never adds a thread per connection. GET /metrics returns the last rendered exposition
// without copying it; other paths are the pages given (the status page at /, its JSON at
// /api/status), rendered on request; everything else is 404 (405 for methods other than
// GET/HEAD). An idle connection is closed after 30 s.
#pragma once

#include "monitor/config.h"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace mogu::monitor {

class HttpListener {
public:
    // Called from the listener's thread for every scrape: the text to serve.
    using MetricsSource = std::function<std::shared_ptr<const std::string>()>;

    // Another path's answer, made on the listener's thread for each request.
    struct Page {
        std::string content_type;
        std::function<std::shared_ptr<const std::string>()> body;
    };
    using Pages = std::map<std::string, Page>;  // by exact path: "/", "/api/status"

    // Binds and listens (errors name the address), then starts serving on its thread.
    HttpListener(const ListenAddress& address, MetricsSource metrics, Pages pages = {});
    ~HttpListener();
    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    // Where it listens (the port the kernel chose when the config said 0).
    const ListenAddress& address() const { return bound_; }
    const MetricsSource& metrics() const { return metrics_; }
    const Pages& pages() const { return pages_; }

private:
    struct Server;  // libevent's base, its evhttp, the wake-up fd and the thread

    ListenAddress bound_;
    MetricsSource metrics_;
    Pages pages_;
    std::unique_ptr<Server> server_;
};

}  // namespace mogu::monitor
