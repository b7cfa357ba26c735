#include "monitor/http_listener.h"

#include "common/error.h"
#include "common/fd.h"
#include "monitor/exposition.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include <cstring>

namespace mogu::monitor {
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

MHD_Result queue_text(MHD_Connection* conn, unsigned status, const char* type, const char* text) {
    MHD_Response* r = MHD_create_response_from_buffer(std::strlen(text), const_cast<char*>(text), MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

void release_body(void* cls) { delete static_cast<std::shared_ptr<const std::string>*>(cls); }

// Queues a rendered text; the response keeps it alive until libmicrohttpd has sent it.
MHD_Result queue_shared(MHD_Connection* conn, const char* type, std::shared_ptr<const std::string> text) {
    auto* body = new std::shared_ptr<const std::string>(std::move(text));
    MHD_Response* r = MHD_create_response_from_buffer_with_free_callback_cls((*body)->size(), const_cast<char*>((*body)->data()), release_body, body);
    if (!r) {
        release_body(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    // Pages show the state now: a browser or proxy must not keep an old one.
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

MHD_Result handle(void* cls, MHD_Connection* conn, const char* url, const char* method, const char*, const char*, size_t*, void**) {
    auto* self = static_cast<HttpListener*>(cls);
    if (std::strcmp(method, MHD_HTTP_METHOD_GET) != 0 && std::strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return queue_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "only GET and HEAD\n");
    auto page = self->pages().find(url);
    if (page != self->pages().end()) {
        std::shared_ptr<const std::string> body;
        try {
            body = page->second.body();
        } catch (const std::exception&) {
            return queue_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", "the page could not be made\n");
        }
        return queue_shared(conn, page->second.content_type.c_str(), std::move(body));
    }
    if (std::strcmp(url, "/") == 0) return queue_text(conn, MHD_HTTP_OK, "text/html; charset=utf-8", kIndex);
    if (std::strcmp(url, "/metrics") != 0) return queue_text(conn, MHD_HTTP_NOT_FOUND, "text/plain", "not found\n");
    // The response keeps the rendered text alive until libmicrohttpd has sent it.
    auto* body = new std::shared_ptr<const std::string>(self->metrics()());
    MHD_Response* r = MHD_create_response_from_buffer_with_free_callback_cls((*body)->size(), const_cast<char*>((*body)->data()), release_body, body);
    if (!r) {
        release_body(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, kContentType);
    MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

}  // namespace

HttpListener::HttpListener(const ListenAddress& address, MetricsSource metrics, Pages pages)
    : metrics_(std::move(metrics)), pages_(std::move(pages)) {
    UniqueFd fd = listen_on(address, bound_);
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, nullptr, nullptr, &handle, this,
                               MHD_OPTION_LISTEN_SOCKET, fd.get(),
                               MHD_OPTION_CONNECTION_LIMIT, 64u,       // scrapers, not the public
                               MHD_OPTION_CONNECTION_TIMEOUT, 30u,     // seconds idle before a connection is closed
                               MHD_OPTION_END);
    if (!daemon_) throw Error("listen on {}: libmicrohttpd did not start", bound_.text());
    fd.release();  // the daemon owns and closes it
}

HttpListener::~HttpListener() {
    if (daemon_) MHD_stop_daemon(daemon_);
}

}  // namespace mogu::monitor
