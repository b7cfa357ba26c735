#include "monitor/http_listener.h"

#include "common/error.h"
#include "common/fd.h"
#include "monitor/exposition.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include <cstring>
#include <thread>

namespace mogu::monitor {

struct HttpListener::Server {
    std::unique_ptr<event_base, decltype(&event_base_free)> base{nullptr, event_base_free};
    std::unique_ptr<evhttp, decltype(&evhttp_free)> http{nullptr, evhttp_free};
    UniqueFd wake;  // an eventfd: written to, it ends the loop
    std::unique_ptr<event, decltype(&event_free)> wake_event{nullptr, event_free};
    std::thread thread;
};

namespace {

const char* kIndex =
    "<html><head><title>mogu-monitor</title></head><body><h1>mogu-monitor</h1>"
    "<p><a href=\"/metrics\">/metrics</a>: container metrics in Prometheus's text format.</p></body></html>\n";

UniqueFd listen_on(const ListenAddress& a, ListenAddress& bound) {
    struct sockaddr_storage ss;
    socklen_t len = a.to_sockaddr(ss);
    bool v6 = ss.ss_family == AF_INET6;
    UniqueFd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) throw SysError(errno, "listen on {}: socket", a.text());
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (v6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd.get(), reinterpret_cast<struct sockaddr*>(&ss), len) < 0) throw SysError(errno, "listen on {}", a.text());
    if (::listen(fd.get(), 64) < 0) throw SysError(errno, "listen on {}", a.text());
    struct sockaddr_storage got = {};
    socklen_t got_len = sizeof got;
    ::getsockname(fd.get(), reinterpret_cast<struct sockaddr*>(&got), &got_len);
    bound = a;
    bound.port = ntohs(v6 ? reinterpret_cast<struct sockaddr_in6*>(&got)->sin6_port : reinterpret_cast<struct sockaddr_in*>(&got)->sin_port);
    return fd;
}

void set_content_type(evhttp_request* req, const char* type) {
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", type);
}

// A HEAD request gets the headers of the GET answer only: evhttp 2.1 would send the body.
bool head_only(evhttp_request* req, size_t body_size) {
    if (evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) return false;
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Length", std::to_string(body_size).c_str());
    return true;
}

// A static text; a null reason makes libevent use the status code's standard phrase.
void answer_text(evhttp_request* req, int status, const char* type, const char* text) {
    size_t size = std::strlen(text);
    if (!head_only(req, size)) evbuffer_add_reference(evhttp_request_get_output_buffer(req), text, size, nullptr, nullptr);
    set_content_type(req, type);
    evhttp_send_reply(req, status, nullptr, nullptr);
}

void release_body(const void*, size_t, void* extra) { delete static_cast<std::shared_ptr<const std::string>*>(extra); }

// A rendered text, sent without a copy: the output buffer keeps it alive until it is written.
void answer_shared(evhttp_request* req, const char* type, std::shared_ptr<const std::string> text, bool no_store) {
    if (!head_only(req, text->size())) {
        auto* body = new std::shared_ptr<const std::string>(std::move(text));
        if (evbuffer_add_reference(evhttp_request_get_output_buffer(req), (*body)->data(), (*body)->size(), release_body, body) < 0) {
            delete body;
            return answer_text(req, HTTP_INTERNAL, "text/plain", "out of memory\n");
        }
    }
    set_content_type(req, type);
    // Pages show the state now: a browser or proxy must not keep an old one.
    if (no_store) evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
    evhttp_send_reply(req, HTTP_OK, nullptr, nullptr);
}

void handle(evhttp_request* req, void* arg) {
    const auto* self = static_cast<const HttpListener*>(arg);
    auto method = evhttp_request_get_command(req);
    if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD)
        return answer_text(req, 405, "text/plain", "only GET and HEAD\n");
    const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
    const char* path = uri ? evhttp_uri_get_path(uri) : nullptr;
    if (!path || !*path) path = "/";
    auto page = self->pages().find(path);
    if (page != self->pages().end()) {
        std::shared_ptr<const std::string> body;
        try {
            body = page->second.body();
        } catch (const std::exception&) {
            return answer_text(req, HTTP_INTERNAL, "text/plain", "the page could not be made\n");
        }
        return answer_shared(req, page->second.content_type.c_str(), std::move(body), true);
    }
    if (std::strcmp(path, "/") == 0) return answer_text(req, HTTP_OK, "text/html; charset=utf-8", kIndex);
    if (std::strcmp(path, "/metrics") != 0) return answer_text(req, HTTP_NOTFOUND, "text/plain", "not found\n");
    answer_shared(req, kContentType, self->metrics()(), false);
}

void stop_loop(evutil_socket_t, short, void* base) { event_base_loopbreak(static_cast<event_base*>(base)); }

}  // namespace

HttpListener::HttpListener(const ListenAddress& address, MetricsSource metrics, Pages pages)
    : metrics_(std::move(metrics)), pages_(std::move(pages)), server_(std::make_unique<Server>()) {
    UniqueFd fd = listen_on(address, bound_);
    Server& s = *server_;
    s.base.reset(event_base_new());
    if (!s.base) throw Error("listen on {}: libevent could not make an event base", bound_.text());
    s.http.reset(evhttp_new(s.base.get()));
    if (!s.http) throw Error("listen on {}: libevent could not make an HTTP server", bound_.text());
    // Every method reaches handle(), which answers 405 itself; scrapers send no bodies.
    evhttp_set_allowed_methods(s.http.get(), EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                                 EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                                 EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_timeout(s.http.get(), 30);  // seconds idle before a connection is closed
    evhttp_set_max_headers_size(s.http.get(), 16384);
    evhttp_set_max_body_size(s.http.get(), 4096);
    evhttp_set_gencb(s.http.get(), handle, this);
    if (evhttp_accept_socket(s.http.get(), fd.get()) < 0) throw Error("listen on {}: libevent did not take the socket", bound_.text());
    fd.release();  // the server owns and closes it
    s.wake.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!s.wake) throw SysError(errno, "listen on {}: eventfd", bound_.text());
    s.wake_event.reset(event_new(s.base.get(), s.wake.get(), EV_READ, stop_loop, s.base.get()));
    if (!s.wake_event || event_add(s.wake_event.get(), nullptr) < 0) throw Error("listen on {}: libevent could not watch its stop signal", bound_.text());
    s.thread = std::thread([base = s.base.get()] { event_base_dispatch(base); });
}

HttpListener::~HttpListener() {
    if (server_->thread.joinable()) {
        // An eventfd takes a 1 unless its counter is near 2^64: this write does not fail.
        uint64_t one = 1;
        ssize_t n = ::write(server_->wake.get(), &one, sizeof one);
        (void)n;
        server_->thread.join();
    }
}

}  // namespace mogu::monitor
