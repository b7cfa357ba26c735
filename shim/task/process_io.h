// A process's stdio as containerd hands it over: FIFO paths (or file:// URIs, or nothing).
// Without a terminal the container gets the FIFOs themselves, so no byte passes through the
// shim; the shim only keeps a writer on stdin until CloseIO. With a terminal the shim pumps
// stdin FIFO -> pty master -> stdout FIFO on its event loop.
#pragma once

#include "common/fd.h"
#include "shim/task/runtime_cli.h"
#include "ttrpc/event_loop.h"

#include <functional>
#include <memory>
#include <string>

namespace mogu::shim {

struct StdioPaths {
    std::string in, out, err;
    bool terminal = false;
};

// Copies src to dst on the loop, holding back (not reading) while dst is full. Finishes at EOF
// or a read error on src (EIO from a master whose terminal closed) and then calls on_done.
class Pump {
public:
    Pump(ttrpc::EventLoop& loop, UniqueFd src, UniqueFd dst, std::function<void()> on_done = {});
    ~Pump();
    Pump(const Pump&) = delete;
    Pump& operator=(const Pump&) = delete;
    bool done() const { return done_; }

private:
    void on_readable();
    void on_writable();
    bool flush();  // false while dst is full
    void finish();

    ttrpc::EventLoop& loop_;
    UniqueFd src_, dst_;
    std::function<void()> on_done_;
    std::string buf_;
    bool eof_ = false, done_ = false, waiting_dst_ = false;
};

class ProcessIo {
public:
    // Opens the paths; nothing is left open when it throws.
    explicit ProcessIo(const StdioPaths& paths);
    ~ProcessIo();

    const StdioPaths& paths() const { return paths_; }
    // The fds the runtime child (and so the container) gets.
    ChildStdio child_stdio() const;
    // The runtime has handed them to the container: drop the shim's copies.
    void runtime_done();
    // Terminal: start pumping through the master the runtime sent.
    void attach_console(UniqueFd master, ttrpc::EventLoop& loop);
    bool has_console() const { return bool(master_); }
    void resize(unsigned width, unsigned height);
    // CloseIO(stdin): the process sees EOF on stdin (without a terminal).
    void close_stdin();
    // The process is gone: stop pumping input; output drains until the terminal closes.
    void process_exited();

private:
    StdioPaths paths_;
    UniqueFd child_in_, child_out_, child_err_;
    UniqueFd stdin_writer_;  // keeps the container's stdin open until CloseIO
    UniqueFd master_;
    std::unique_ptr<Pump> in_pump_, out_pump_;
};

}  // namespace mogu::shim
