// The agent's stdio streams as the host sees them through ttrpc: buffered output handed to a
// waiting ReadStream, EOF after the last bytes, stdin written and closed.
#include "kvm-launcher/agent/streams.h"
#include "tests/unit/kvm/expect.h"
#include "kvm-launcher/proto/agent.pb.h"
#include "ttrpc/client.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/server.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using namespace mogu;
using namespace mogu::vm::agent;

namespace {

struct Rig {
    ttrpc::EventLoop loop;
    ttrpc::Server server{loop};
    UniqueFd out_w, in_r;
    std::unique_ptr<OutputStream> out;
    std::unique_ptr<InputStream> in;
    std::unique_ptr<ttrpc::Client> client;
    std::thread thread;

    Rig() {
        int p[2];
        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        UniqueFd out_r(p[0]);
        out_w.reset(p[1]);
        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        in_r.reset(p[0]);
        UniqueFd in_w(p[1]);
        out = std::make_unique<OutputStream>(loop, std::move(out_r));
        in = std::make_unique<InputStream>(loop, std::move(in_w));
        server.register_method("s", "Read", [this](const ttrpc::CallPtr& c) { out->read(c); });
        server.register_method("s", "Write", [this](const ttrpc::CallPtr& c) { in->write(c, c->decode<v1::WriteStdinRequest>().data()); });
        server.register_method("s", "Close", [this](const ttrpc::CallPtr& c) {
            in->close();
            c->reply(v1::Empty());
        });
        int sv[2];
        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        server.add_connection(UniqueFd(sv[0]));
        client = std::make_unique<ttrpc::Client>(UniqueFd(sv[1]));
        thread = std::thread([this] { loop.run(); });
    }
    ~Rig() {
        loop.post([this] { loop.stop(); });
        thread.join();
        client.reset();
    }
    v1::ReadStreamResponse read() {
        auto r = client->call("s", "Read", v1::ReadStreamRequest().SerializeAsString(), 5000);
        cr_assert(r.status.ok(), "%s", r.status.message.c_str());
        v1::ReadStreamResponse resp;
        resp.ParseFromString(r.payload);
        return resp;
    }
};

}  // namespace

Test(agent_streams, a_read_waits_for_output_then_gets_it_all) {
    Rig rig;
    std::thread writer([&] {
        usleep(100000);
        cr_assert_eq(::write(rig.out_w.get(), "hello ", 6), 6);
        cr_assert_eq(::write(rig.out_w.get(), "world", 5), 5);
    });
    std::string got;
    while (got.size() < 11) {
        auto r = rig.read();
        cr_assert(!r.eof());
        got += r.data();
    }
    writer.join();
    expect_str(got, "hello world");
}

Test(agent_streams, eof_comes_after_the_last_bytes_and_stays) {
    Rig rig;
    cr_assert_eq(::write(rig.out_w.get(), "last", 4), 4);
    rig.out_w.reset();
    std::string got;
    bool eof = false;
    while (!eof) {
        auto r = rig.read();
        got += r.data();
        eof = r.eof();
    }
    expect_str(got, "last");
    cr_assert(rig.read().eof());
    cr_assert(rig.out->finished());
}

Test(agent_streams, stdin_is_written_then_closed) {
    Rig rig;
    v1::WriteStdinRequest w;
    w.set_data("input line\n");
    cr_assert(rig.client->call("s", "Write", w.SerializeAsString(), 5000).status.ok());
    cr_assert(rig.client->call("s", "Close", "", 5000).status.ok());
    char buf[64];
    std::string got;
    for (ssize_t n; (n = ::read(rig.in_r.get(), buf, sizeof buf)) > 0;) got.append(buf, size_t(n));
    expect_str(got, "input line\n");  // and then EOF: the loop above ended
}
