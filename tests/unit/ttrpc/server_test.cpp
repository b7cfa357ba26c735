// Server and client over a real socket, with the loop on its own thread.
#include "ttrpc/client.h"
#include "ttrpc/frame.h"
#include "ttrpc/server.h"
#include "ttrpc/socket.h"
#include "ttrpc/ttrpc.pb.h"

#include <criterion/criterion.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

using namespace mogu;
using namespace mogu::ttrpc;

namespace {

// A server with an echo method, a method that answers only when "release" is called, and one
// that throws. Runs its loop on a thread until destroyed.
struct Fixture {
    EventLoop loop;
    Server server{loop};
    std::vector<CallPtr> parked;
    std::atomic<int> blocks_parked{0};  // Block calls that reached the server, for waiting on
    std::atomic<int> protocol_errors{0};
    std::thread thread;
    int client_fd = -1;

    Fixture() {
        server.register_method("test.Svc", "Echo", [](const CallPtr& c) {
            wire::KeyValue kv = c->decode<wire::KeyValue>();
            kv.set_value(kv.value() + "!");
            c->reply(kv);
        });
        server.register_method("test.Svc", "Block", [this](const CallPtr& c) {
            parked.push_back(c);
            blocks_parked++;
        });
        server.register_method("test.Svc", "Release", [this](const CallPtr& c) {
            for (auto& p : parked) p->reply_bytes("released");
            parked.clear();
            c->reply_bytes("");
        });
        server.register_method("test.Svc", "Missing", [](const CallPtr&) {
            throw StatusError(Code::not_found, "container {} not found", "abc");
        });
        server.on_protocol_error = [this](const std::string&) { protocol_errors++; };
        int sv[2];
        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        server.add_connection(UniqueFd(sv[0]));
        client_fd = sv[1];
        thread = std::thread([this] { loop.run(); });
    }
    ~Fixture() {
        loop.post([this] {
            parked.clear();
            server.close();
            loop.stop();
        });
        thread.join();
        if (client_fd >= 0) close(client_fd);
    }
    // Hands the client end to a Client (which then owns it).
    std::unique_ptr<Client> client() {
        int fd = client_fd;
        client_fd = -1;
        return std::make_unique<Client>(UniqueFd(fd));
    }
    void write_raw(const std::string& bytes) {
        cr_assert_eq(write(client_fd, bytes.data(), bytes.size()), ssize_t(bytes.size()));
    }
    // Reads one frame; nullopt on EOF.
    std::optional<Frame> read_frame() {
        FrameDecoder d;
        char buf[4096];
        for (;;) {
            if (auto f = d.next()) return f;
            ssize_t n = read(client_fd, buf, sizeof buf);
            if (n <= 0) return std::nullopt;
            d.feed(buf, size_t(n));
        }
    }
    wire::Response read_response(uint32_t want_stream) {
        auto f = read_frame();
        cr_assert(f.has_value(), "the server closed instead of answering");
        cr_assert_eq(f->header.type, uint8_t(FrameType::response));
        cr_assert_eq(f->header.stream_id, want_stream);
        wire::Response r;
        cr_assert(r.ParseFromString(f->payload));
        return r;
    }
    bool connection_closed() {
        char c;
        return read(client_fd, &c, 1) == 0;
    }
};

std::string request(const std::string& service, const std::string& method, const std::string& payload) {
    wire::Request r;
    r.set_service(service);
    r.set_method(method);
    r.set_payload(payload);
    return r.SerializeAsString();
}

std::string echo_payload(const std::string& v) {
    wire::KeyValue kv;
    kv.set_key("k");
    kv.set_value(v);
    return kv.SerializeAsString();
}

}  // namespace

Test(ttrpc_server, echo_round_trip) {
    Fixture fx;
    auto c = fx.client();
    wire::KeyValue kv;
    kv.set_key("k");
    kv.set_value("hi");
    auto resp = c->call<wire::KeyValue>("test.Svc", "Echo", kv);
    cr_assert_eq(resp.value(), "hi!");
}

Test(ttrpc_server, handler_status_reaches_the_client) {
    Fixture fx;
    auto c = fx.client();
    auto r = c->call("test.Svc", "Missing", "");
    cr_assert_eq(int(r.status.code), int(Code::not_found));
    cr_assert_eq(r.status.message, "container abc not found");
}

Test(ttrpc_server, a_blocked_call_does_not_hold_up_later_calls) {
    Fixture fx;
    auto c = fx.client();
    auto blocked = std::async(std::launch::async, [&] { return c->call("test.Svc", "Block", "", 10000); });
    // Block must be parked on the server before Release is sent, or Release frees nothing.
    for (int i = 0; i < 1000 && fx.blocks_parked.load() == 0; i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    cr_assert_eq(fx.blocks_parked.load(), 1, "the Block call never reached the server");
    // Echo answers while Block waits on the same connection.
    for (int i = 0; i < 3; i++) {
        auto r = c->call("test.Svc", "Echo", echo_payload("x"), 5000);
        cr_assert(r.status.ok(), "%s", r.status.message.c_str());
    }
    cr_assert_eq(blocked.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
    cr_assert(c->call("test.Svc", "Release", "", 5000).status.ok());
    auto r = blocked.get();
    cr_assert(r.status.ok());
    cr_assert_eq(r.payload, "released");
}

Test(ttrpc_server, many_threads_share_one_client) {
    Fixture fx;
    auto c = fx.client();
    std::vector<std::thread> threads;
    std::atomic<int> good{0};
    for (int t = 0; t < 8; t++)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; i++) {
                wire::KeyValue kv;
                kv.set_value(std::to_string(t * 1000 + i));
                auto r = c->call<wire::KeyValue>("test.Svc", "Echo", kv, 5000);
                if (r.value() == std::to_string(t * 1000 + i) + "!") good++;
            }
        });
    for (auto& t : threads) t.join();
    cr_assert_eq(good.load(), 400);
}

Test(ttrpc_server, unknown_service_and_method_answer_unimplemented) {
    Fixture fx;
    fx.write_raw(encode_frame(1, FrameType::request, request("no.Such", "Thing", "")));
    auto r = fx.read_response(1);
    cr_assert_eq(r.status().code(), int(Code::unimplemented));
    cr_assert(r.status().message().find("no.Such") != std::string::npos);
    fx.write_raw(encode_frame(3, FrameType::request, request("test.Svc", "Nope", "")));
    r = fx.read_response(3);
    cr_assert_eq(r.status().code(), int(Code::unimplemented));
    cr_assert(r.status().message().find("Nope") != std::string::npos);
}

Test(ttrpc_server, garbage_request_answers_invalid_argument_and_keeps_serving) {
    Fixture fx;
    fx.write_raw(encode_frame(1, FrameType::request, std::string("\xff\xff\xff\xff\x0f garbage", 13)));
    auto r = fx.read_response(1);
    cr_assert_eq(r.status().code(), int(Code::invalid_argument));
    // A valid Request whose payload is garbage for the method's message.
    fx.write_raw(encode_frame(3, FrameType::request, request("test.Svc", "Echo", "\xff\xff\xff")));
    r = fx.read_response(3);
    cr_assert_eq(r.status().code(), int(Code::invalid_argument));
    fx.write_raw(encode_frame(5, FrameType::request, request("test.Svc", "Echo", echo_payload("ok"))));
    r = fx.read_response(5);
    cr_assert_eq(r.status().code(), 0);
    cr_assert_geq(fx.protocol_errors.load(), 1);
}

Test(ttrpc_server, even_stream_id_is_refused) {
    Fixture fx;
    fx.write_raw(encode_frame(2, FrameType::request, request("test.Svc", "Echo", echo_payload("x"))));
    auto r = fx.read_response(2);
    cr_assert_eq(r.status().code(), int(Code::invalid_argument));
}

Test(ttrpc_server, length_over_the_cap_answers_then_drops_the_connection) {
    Fixture fx;
    auto h = encode_header({kMaxPayload + 1, 9, 1, 0});
    fx.write_raw(std::string(reinterpret_cast<const char*>(h.data()), h.size()));
    auto r = fx.read_response(9);
    cr_assert_eq(r.status().code(), int(Code::resource_exhausted));
    cr_assert(fx.connection_closed());
}

Test(ttrpc_server, short_header_then_close_does_not_crash) {
    Fixture fx;
    fx.write_raw(std::string("\x00\x00\x00", 3));
    shutdown(fx.client_fd, SHUT_WR);
    cr_assert(fx.connection_closed());
    // The server is still alive and serves new connections.
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    std::promise<void> added;
    fx.loop.post([&] {
        fx.server.add_connection(UniqueFd(sv[0]));
        added.set_value();
    });
    added.get_future().get();
    Client c{UniqueFd(sv[1])};
    cr_assert(c.call("test.Svc", "Echo", echo_payload("y"), 5000).status.ok());
}

Test(ttrpc_server, response_frame_from_a_client_drops_the_connection) {
    Fixture fx;
    fx.write_raw(encode_frame(1, FrameType::response, ""));
    cr_assert(fx.connection_closed());
}

Test(ttrpc_client, call_on_a_closed_connection_answers_unavailable) {
    Fixture fx;
    auto c = fx.client();
    fx.loop.post([&] { fx.server.close(); });
    auto r = c->call("test.Svc", "Block", "", 5000);
    cr_assert_eq(int(r.status.code), int(Code::unavailable));
}

Test(ttrpc_client, timeout_answers_deadline_exceeded) {
    Fixture fx;
    auto c = fx.client();
    auto r = c->call("test.Svc", "Block", "", 50);
    cr_assert_eq(int(r.status.code), int(Code::deadline_exceeded));
}

Test(ttrpc_socket, listen_and_connect_by_unix_address) {
    char dir[] = "/tmp/ttrpc-test.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    std::string addr = std::string("unix://") + dir + "/s";
    EventLoop loop;
    Server server(loop);
    server.register_method("s", "m", [](const CallPtr& c) { c->reply_bytes("pong"); });
    server.listen(listen_unix(addr));
    std::thread t([&] { loop.run(); });
    {
        auto c = Client::connect(addr);
        auto r = c->call("s", "m", "", 5000);
        cr_assert_eq(r.payload, "pong");
    }
    cr_assert_throw(listen_unix(addr), Error, "binding over a live socket must fail");
    loop.post([&] { server.close(); loop.stop(); });
    t.join();
    remove_socket(addr);
    rmdir(dir);
    cr_assert_throw(socket_path("tcp://1.2.3.4:5"), Error);
}

Test(ttrpc_socket, a_socket_file_is_0600_whatever_the_umask) {
    char dir[] = "/tmp/ttrpc-test.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    std::string path = std::string(dir) + "/s";
    mode_t old = umask(0);
    auto fd = listen_unix(path);
    umask(old);
    struct stat st {};
    cr_assert_eq(stat(path.c_str(), &st), 0);
    cr_assert(S_ISSOCK(st.st_mode));
    cr_assert_eq(st.st_mode & 07777, 0600u, "mode %o", st.st_mode & 07777);
    remove_socket(path);
    rmdir(dir);
}

Test(ttrpc_socket, our_own_uid_is_a_trusted_peer) {
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    uid_t uid = 12345;
    cr_assert(peer_is_trusted(sv[0], &uid));
    cr_assert_eq(uid, geteuid());
    close(sv[0]);
    close(sv[1]);
    cr_assert_not(peer_is_trusted(-1), "a peer whose credentials cannot be read is not trusted");
}
