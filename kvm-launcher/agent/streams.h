// A process's stdio as the host reads and writes it over ttrpc. Output is buffered (up to a cap,
// then the pipe pushes back on the process) and handed out to one waiting ReadStream call at a
// time; input is queued and its WriteStdin call answered once the process has taken it.
#pragma once

#include "common/fd.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/server.h"

#include <deque>
#include <functional>
#include <string>

namespace mogu::vm::agent {

class OutputStream {
public:
    static constexpr size_t kBufferCap = 1u << 20;

    // fd: the read end of a pipe or a pty master (EIO from a master means its slave is gone).
    OutputStream(ttrpc::EventLoop& loop, UniqueFd fd);
    ~OutputStream();
    OutputStream(const OutputStream&) = delete;
    OutputStream& operator=(const OutputStream&) = delete;

    // A stream that never had a writer (stderr of a terminal process): at EOF at once.
    static std::unique_ptr<OutputStream> closed(ttrpc::EventLoop& loop);

    // Answers with what is buffered, or holds the call until data or EOF arrives.
    void read(const ttrpc::CallPtr& call);
    // EOF reached and the last bytes handed to the host.
    bool finished() const { return eof_delivered_; }
    // Called once, when finished() becomes true.
    std::function<void()> on_finished;

private:
    void readable();
    void answer();
    void watch(bool on);

    ttrpc::EventLoop& loop_;
    UniqueFd fd_;
    std::string buf_;
    bool eof_ = false, eof_delivered_ = false, watching_ = false;
    ttrpc::CallPtr pending_;
};

class InputStream {
public:
    InputStream(ttrpc::EventLoop& loop, UniqueFd fd);
    ~InputStream();
    InputStream(const InputStream&) = delete;
    InputStream& operator=(const InputStream&) = delete;

    // Queues data; the call is answered when all of it is written (or the reader is gone).
    void write(const ttrpc::CallPtr& call, std::string data);
    // Closes the write end once everything queued is written: the process reads EOF.
    void close();
    // For a terminal: never close the master, only stop writing.
    void set_keep_open(bool keep) { keep_open_ = keep; }

private:
    void writable();
    void finish_close();

    ttrpc::EventLoop& loop_;
    UniqueFd fd_;
    struct Chunk {
        std::string data;
        size_t off = 0;
        ttrpc::CallPtr call;
    };
    std::deque<Chunk> queue_;
    bool closing_ = false, watching_ = false, keep_open_ = false;
};

}  // namespace mogu::vm::agent
