#include "shim/task/process_io.h"

#include "common/error.h"
#include "common/log.h"
#include "ttrpc/status.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

namespace mogu::shim {
namespace {

constexpr size_t kPumpChunk = 32 * 1024;

void set_blocking(int fd, bool blocking) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return;
    fcntl(fd, F_SETFL, blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK));
}

bool is_fifo(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

// "file:///x" -> "/x"; "binary://" has no support; a plain path stays.
std::string local_path(const std::string& uri, const char* stream) {
    if (uri.rfind("file://", 0) == 0) return uri.substr(7);
    if (uri.rfind("binary://", 0) == 0)
        throw ttrpc::StatusError(ttrpc::Code::unimplemented, "{}: binary:// logging is not supported by this shim", stream);
    if (uri.find("://") != std::string::npos)
        throw ttrpc::StatusError(ttrpc::Code::invalid_argument, "{}: unsupported stdio URI {}", stream, uri);
    return uri;
}

// containerd opens its reading end of an output FIFO on a goroutine of its own (a blocking open
// behind containerd/fifo's O_NONBLOCK), so a short process can start, write and exit before that
// open(2) runs: with every writer gone the FIFO's data is dropped, and containerd's open then
// waits for a writer forever (an ExecSync hung until its deadline, about one exec in 1,500).
// So, as containerd's runc shim does by opening its write end blocking, the output is opened
// once a reader is there: open(O_WRONLY | O_NONBLOCK) fails with ENXIO until then (a reader
// inside its open(2) counts, and this open wakes it). The probe stays open until the caller
// holds its own writer, so the reader never sees a moment without one (that would be EOF).
// Bounded: a client that never opens its end costs kReaderWait and a warning.
constexpr auto kReaderWait = std::chrono::seconds(3);

UniqueFd wait_for_reader(const std::string& path, const char* stream) {
    auto deadline = std::chrono::steady_clock::now() + kReaderWait;
    auto pause = std::chrono::microseconds(50);
    for (;;) {
        int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0) return UniqueFd(fd);
        if (errno != ENXIO) throw SysError(errno, "open {} {} for writing", stream, path);
        if (std::chrono::steady_clock::now() >= deadline) {
            log::warn("{} {}: nobody opened it for reading in {} s; output written before a reader comes may be lost", stream, path,
                      std::chrono::duration_cast<std::chrono::seconds>(kReaderWait).count());
            return {};
        }
        std::this_thread::sleep_for(pause);
        pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(20));
    }
}

UniqueFd open_output(const std::string& uri, const char* stream, bool nonblocking) {
    std::string path = local_path(uri, stream);
    int fd;
    if (is_fifo(path)) {
        UniqueFd probe = wait_for_reader(path, stream);
        // O_RDWR never blocks on a FIFO and keeps a reader, so the container does not get
        // SIGPIPE while nobody is attached (containerd restarting).
        fd = open(path.c_str(), O_RDWR | O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0));
    } else {
        fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0), 0640);
    }
    if (fd < 0) throw SysError(errno, "open {} {}", stream, path);
    return UniqueFd(fd);
}

}  // namespace

Pump::Pump(ttrpc::EventLoop& loop, UniqueFd src, UniqueFd dst, std::function<void()> on_done)
    : loop_(loop), src_(std::move(src)), dst_(std::move(dst)), on_done_(std::move(on_done)) {
    set_blocking(src_.get(), false);
    if (dst_) set_blocking(dst_.get(), false);
    loop_.add(src_.get(), EPOLLIN, [this](uint32_t) { on_readable(); });
}

Pump::~Pump() {
    if (src_) loop_.remove(src_.get());
    if (dst_) loop_.remove(dst_.get());
}

void Pump::on_readable() {
    char buf[kPumpChunk];
    for (;;) {
        ssize_t n = read(src_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {  // EOF, or EIO once the terminal's last slave closed
            eof_ = true;
            loop_.remove(src_.get());
            if (flush()) finish();
            return;
        }
        buf_.append(buf, size_t(n));
        if (!flush()) {
            loop_.remove(src_.get());  // hold back until dst drains
            return;
        }
    }
}

void Pump::on_writable() {
    if (!flush()) return;
    loop_.remove(dst_.get());
    waiting_dst_ = false;
    if (eof_) return finish();
    loop_.add(src_.get(), EPOLLIN, [this](uint32_t) { on_readable(); });
}

bool Pump::flush() {
    while (!buf_.empty()) {
        if (!dst_) {
            buf_.clear();
            break;
        }
        ssize_t n = write(dst_.get(), buf_.data(), buf_.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            if (!waiting_dst_) {
                waiting_dst_ = true;
                loop_.add(dst_.get(), EPOLLOUT, [this](uint32_t) { on_writable(); });
            }
            return false;
        }
        if (n < 0) {  // the reader is gone for good: drop what it would have read
            buf_.clear();
            break;
        }
        buf_.erase(0, size_t(n));
    }
    return true;
}

void Pump::finish() {
    if (done_) return;
    done_ = true;
    if (dst_ && waiting_dst_) loop_.remove(dst_.get());
    dst_.reset();  // the reader sees EOF once every writer is gone
    if (on_done_) on_done_();
}

ProcessIo::ProcessIo(const StdioPaths& paths) : paths_(paths) {
    if (paths.terminal) return;  // the pumps open their ends when the master arrives
    if (!paths.in.empty()) {
        std::string path = local_path(paths.in, "stdin");
        int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) throw SysError(errno, "open stdin {}", path);
        child_in_.reset(fd);
        set_blocking(fd, true);  // the container reads it blocking
        if (is_fifo(path)) {
            int w = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (w < 0) throw SysError(errno, "open stdin {} for writing", path);
            stdin_writer_.reset(w);
        }
    }
    if (!paths.out.empty()) child_out_ = open_output(paths.out, "stdout", false);
    if (!paths.err.empty()) child_err_ = open_output(paths.err, "stderr", false);
}

ProcessIo::~ProcessIo() = default;

ChildStdio ProcessIo::child_stdio() const { return {child_in_.get(), child_out_.get(), child_err_.get()}; }

void ProcessIo::runtime_done() {
    child_in_.reset();
    child_out_.reset();
    child_err_.reset();
}

void ProcessIo::attach_console(UniqueFd master, ttrpc::EventLoop& loop) {
    master_ = std::move(master);
    UniqueFd out;
    if (!paths_.out.empty()) out = open_output(paths_.out, "stdout", true);
    UniqueFd read_side(check(fcntl(master_.get(), F_DUPFD_CLOEXEC, 3), "dup terminal master"));
    out_pump_ = std::make_unique<Pump>(loop, std::move(read_side), std::move(out));
    if (!paths_.in.empty()) {
        std::string path = local_path(paths_.in, "stdin");
        // O_RDWR: a writer of our own, so the pump sees no EOF before the client opens it.
        UniqueFd in(open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
        if (!in) throw SysError(errno, "open stdin {}", path);
        UniqueFd write_side(check(fcntl(master_.get(), F_DUPFD_CLOEXEC, 3), "dup terminal master"));
        in_pump_ = std::make_unique<Pump>(loop, std::move(in), std::move(write_side));
    }
}

void ProcessIo::resize(unsigned width, unsigned height) {
    if (!master_) return;  // no terminal: nothing to resize, as containerd's shim does
    struct winsize ws {};
    ws.ws_col = static_cast<unsigned short>(width);
    ws.ws_row = static_cast<unsigned short>(height);
    check(ioctl(master_.get(), TIOCSWINSZ, &ws), "resize terminal to {}x{}", width, height);
}

void ProcessIo::close_stdin() {
    stdin_writer_.reset();
    in_pump_.reset();
}

void ProcessIo::process_exited() {
    in_pump_.reset();
    stdin_writer_.reset();
}

}  // namespace mogu::shim
