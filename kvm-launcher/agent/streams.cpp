#include "kvm-launcher/agent/streams.h"

#include "kvm-launcher/proto/agent.pb.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::vm::agent {
namespace {

void set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

}  // namespace

OutputStream::OutputStream(ttrpc::EventLoop& loop, UniqueFd fd) : loop_(loop), fd_(std::move(fd)) {
    if (fd_) {
        set_nonblocking(fd_.get());
        watch(true);
    } else {
        eof_ = true;
    }
}

OutputStream::~OutputStream() { watch(false); }

std::unique_ptr<OutputStream> OutputStream::closed(ttrpc::EventLoop& loop) {
    return std::make_unique<OutputStream>(loop, UniqueFd());
}

void OutputStream::watch(bool on) {
    if (!fd_ || on == watching_) return;
    watching_ = on;
    if (on) loop_.add(fd_.get(), EPOLLIN | EPOLLRDHUP, [this](uint32_t) { readable(); });
    else loop_.remove(fd_.get());
}

void OutputStream::readable() {
    char chunk[65536];
    while (buf_.size() < kBufferCap) {
        ssize_t n = ::read(fd_.get(), chunk, std::min(sizeof chunk, kBufferCap - buf_.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) {  // EOF, or EIO from a pty master whose slave closed
            eof_ = true;
            watch(false);
            fd_.reset();
            break;
        }
        buf_.append(chunk, size_t(n));
    }
    if (buf_.size() >= kBufferCap) watch(false);  // the pipe pushes back until the host reads
    answer();
}

void OutputStream::read(const ttrpc::CallPtr& call) {
    if (eof_delivered_) {
        v1::ReadStreamResponse resp;
        resp.set_eof(true);
        call->reply(resp);
        return;
    }
    pending_ = call;  // a newer read replaces an older one (whose caller has gone)
    answer();
}

void OutputStream::answer() {
    if (!pending_ || (buf_.empty() && !eof_)) return;
    if (!pending_->connected()) {
        pending_.reset();
        return;
    }
    v1::ReadStreamResponse resp;
    resp.set_data(std::move(buf_));
    buf_.clear();
    resp.set_eof(eof_);
    auto call = std::move(pending_);
    pending_.reset();
    call->reply(resp);
    if (fd_ && !eof_) watch(true);
    if (eof_ && !eof_delivered_) {
        eof_delivered_ = true;
        if (on_finished) on_finished();
    }
}

InputStream::InputStream(ttrpc::EventLoop& loop, UniqueFd fd) : loop_(loop), fd_(std::move(fd)) {
    if (fd_) set_nonblocking(fd_.get());
}

InputStream::~InputStream() {
    if (watching_) loop_.remove(fd_.get());
}

void InputStream::write(const ttrpc::CallPtr& call, std::string data) {
    if (!fd_ || closing_) {
        call->fail(ttrpc::Code::failed_precondition, "stdin is closed");
        return;
    }
    queue_.push_back({std::move(data), 0, call});
    writable();
}

void InputStream::writable() {
    while (fd_ && !queue_.empty()) {
        Chunk& c = queue_.front();
        while (c.off < c.data.size()) {
            ssize_t n = ::write(fd_.get(), c.data.data() + c.off, c.data.size() - c.off);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                if (!watching_) {
                    watching_ = true;
                    loop_.add(fd_.get(), EPOLLOUT, [this](uint32_t) { writable(); });
                }
                return;
            }
            if (n < 0) {  // EPIPE: the process no longer reads stdin; what it missed is dropped
                for (auto& q : queue_) q.call->reply(v1::Empty());
                queue_.clear();
                if (watching_) loop_.remove(fd_.get());
                watching_ = false;
                fd_.reset();
                return;
            }
            c.off += size_t(n);
        }
        c.call->reply(v1::Empty());
        queue_.pop_front();
    }
    if (watching_) {
        loop_.remove(fd_.get());
        watching_ = false;
    }
    if (closing_) finish_close();
}

void InputStream::close() {
    closing_ = true;
    if (queue_.empty()) finish_close();
}

void InputStream::finish_close() {
    if (keep_open_) return;
    if (watching_) loop_.remove(fd_.get());
    watching_ = false;
    fd_.reset();
}

}  // namespace mogu::vm::agent
