// The HTTP listener on a loopback port the kernel picks, spoken to with a plain socket.
#include "common/fd.h"
#include "monitor/http_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <atomic>
#include <memory>
#include <string>

using namespace mogu;
using namespace mogu::monitor;

namespace {

ListenAddress loopback() { return ListenAddress{"127.0.0.1", 0}; }

// Sends one request, half-closes, and returns everything the server sent until it closed.
std::string ask(const HttpListener& l, const std::string& request) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    cr_assert(fd);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(l.address().port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    cr_assert_eq(::write(fd.get(), request.data(), request.size()), ssize_t(request.size()));
    std::string got;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) got.append(buf, size_t(n));
    return got;
}

std::string get(const HttpListener& l, const std::string& path, const char* method = "GET") {
    return ask(l, std::string(method) + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}

}  // namespace

Test(http_listener, serves_the_metrics_text_it_is_given_and_keeps_it_alive_until_sent) {
    auto text = std::make_shared<const std::string>(std::string(300000, 'm') + "\n");
    std::weak_ptr<const std::string> watch = text;
    HttpListener l(loopback(), [&] { return text; });
    cr_assert_neq(l.address().port, 0);
    std::string r = get(l, "/metrics");
    cr_assert(r.starts_with("HTTP/1.1 200 OK\r\n"), "%s", r.substr(0, 100).c_str());
    cr_assert(r.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n") != std::string::npos);
    cr_assert(r.ends_with("\r\n\r\n" + *text));
    text.reset();
    cr_assert(watch.expired(), "the served text is still held after the answer was sent");
}

Test(http_listener, pages_are_made_per_request_and_not_cached) {
    std::atomic<int> made{0};
    HttpListener::Pages pages;
    pages["/api/status"] = {"application/json", [&] { ++made; return std::make_shared<const std::string>("{}"); }};
    HttpListener l(loopback(), [] { return std::make_shared<const std::string>(""); }, pages);
    std::string r = get(l, "/api/status?fresh=1");
    cr_assert(r.starts_with("HTTP/1.1 200 OK\r\n"));
    cr_assert(r.find("Content-Type: application/json\r\n") != std::string::npos);
    cr_assert(r.find("Cache-Control: no-store\r\n") != std::string::npos);
    cr_assert(r.ends_with("\r\n\r\n{}"));
    get(l, "/api/status");
    cr_assert_eq(made.load(), 2);
}

Test(http_listener, a_page_that_throws_is_a_500_and_the_listener_goes_on) {
    HttpListener::Pages pages;
    pages["/"] = {"text/html", []() -> std::shared_ptr<const std::string> { throw std::runtime_error("no board"); }};
    HttpListener l(loopback(), [] { return std::make_shared<const std::string>("up 1\n"); }, pages);
    cr_assert(get(l, "/").starts_with("HTTP/1.1 500 "));
    cr_assert(get(l, "/metrics").ends_with("up 1\n"));
}

Test(http_listener, other_methods_are_405_unknown_paths_404_and_head_has_no_body) {
    HttpListener l(loopback(), [] { return std::make_shared<const std::string>("up 1\n"); });
    std::string post = ask(l, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nx=1");
    cr_assert(post.starts_with("HTTP/1.1 405 "), "%s", post.c_str());
    cr_assert(post.ends_with("only GET and HEAD\n"));
    cr_assert(get(l, "/nothing").starts_with("HTTP/1.1 404 "));
    std::string head = get(l, "/metrics", "HEAD");
    cr_assert(head.starts_with("HTTP/1.1 200 OK\r\n"));
    cr_assert(head.ends_with("\r\n\r\n"), "HEAD answered with a body: %s", head.c_str());
}

Test(http_listener, a_taken_port_is_named_in_the_error) {
    HttpListener first(loopback(), [] { return std::make_shared<const std::string>(""); });
    ListenAddress same{"127.0.0.1", first.address().port};
    try {
        HttpListener second(same, [] { return std::make_shared<const std::string>(""); });
        cr_assert_fail("a second listener on a taken port started");
    } catch (const std::exception& e) {
        cr_assert(std::string(e.what()).find("listen on 127.0.0.1:" + std::to_string(same.port) + ": Address already in use") != std::string::npos, "%s", e.what());
    }
}
