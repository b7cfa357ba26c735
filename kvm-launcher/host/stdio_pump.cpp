#include "kvm-launcher/host/stdio_pump.h"

#include "common/error.h"
#include "common/log.h"
#include "runtime/terminal.h"

#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::vm {
namespace {

namespace v1 = agent::v1;

// False once the fd no longer takes data (its reader is gone): the rest is read and dropped so
// the guest process is never blocked on a full pipe.
bool write_all(int fd, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += size_t(n);
    }
    return true;
}

}  // namespace

StdioPump::StdioPump(ttrpc::Client& client, std::string id, std::string exec_id, HostStdio stdio)
    : client_(client), id_(std::move(id)), exec_id_(std::move(exec_id)), stdio_(stdio) {
    if (stdio_.tty >= 0) {
        out_threads_.emplace_back([this] { read_loop(1, stdio_.tty); });
        in_thread_ = std::thread([this] { write_loop(stdio_.tty); });
        resize();
    } else {
        out_threads_.emplace_back([this] { read_loop(1, stdio_.out); });
        out_threads_.emplace_back([this] { read_loop(2, stdio_.err); });
        in_thread_ = std::thread([this] { write_loop(stdio_.in); });
    }
    in_thread_.detach();  // blocked in read(2) on the caller's stdin: it ends with the process
}

StdioPump::~StdioPump() { join_output(); }

void StdioPump::join_output() {
    for (auto& t : out_threads_)
        if (t.joinable()) t.join();
}

void StdioPump::read_loop(uint32_t stream, int fd) {
    v1::ReadStreamRequest req;
    req.set_id(id_);
    req.set_exec_id(exec_id_);
    req.set_stream(stream);
    bool writable = fd >= 0;
    for (;;) {
        auto r = client_.call(kAgentService, "ReadStream", req.SerializeAsString());
        if (!r.status.ok()) {
            log::debug("stdio of {}/{} stream {}: {}", id_, exec_id_, stream, r.status.message);
            return;
        }
        v1::ReadStreamResponse resp;
        if (!resp.ParseFromString(r.payload)) return;
        if (writable && !resp.data().empty()) writable = write_all(fd, resp.data());
        if (resp.eof()) return;
    }
}

void StdioPump::write_loop(int fd) {
    v1::WriteStdinRequest req;
    req.set_id(id_);
    req.set_exec_id(exec_id_);
    char buf[65536];
    if (fd >= 0) {
        for (;;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            req.set_data(buf, size_t(n));
            auto r = client_.call(kAgentService, "WriteStdin", req.SerializeAsString());
            if (!r.status.ok()) return;  // the process is gone or no longer reads stdin
        }
    }
    if (stdio_.tty >= 0) return;  // a terminal's stdin ends with the terminal
    client_.call(kAgentService, "CloseStdin", process_request(id_, exec_id_).SerializeAsString());
}

void StdioPump::resize() {
    if (stdio_.tty < 0) return;
    struct winsize ws {};
    if (ioctl(stdio_.tty, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0 || ws.ws_row == 0) return;
    v1::ResizeRequest req;
    req.set_id(id_);
    req.set_exec_id(exec_id_);
    req.set_width(ws.ws_col);
    req.set_height(ws.ws_row);
    client_.call(kAgentService, "ResizePty", req.SerializeAsString(), 5000);
}

int open_console_for(const std::string& console_socket) {
    int master = -1, slave = -1;
    if (openpty(&master, &slave, nullptr, nullptr, nullptr) < 0) throw SysError(errno, "openpty for the console");
    UniqueFd m(master), s(slave);
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(slave, F_SETFD, FD_CLOEXEC);
    // The guest's own pty does the line discipline; this one passes bytes through.
    struct termios t {};
    if (tcgetattr(slave, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(slave, TCSANOW, &t);
    }
    UniqueFd sock = runtime::connect_console_socket(console_socket);
    runtime::send_fd(sock.get(), master, "/dev/ptmx");
    return s.release();
}

}  // namespace mogu::vm
