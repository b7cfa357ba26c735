// The source's half of a pre-copy round (frame.h): ask the target for a page server, let criu
// (pre-)dump into it, send the final dump's other images, and learn how many bytes of pages
// arrived. Also the image frames that stop-and-copy sends.
#pragma once

#include "runtime/migrate/frame.h"
#include "runtime/migrate/migrate.h"

#include <functional>
#include <string>

namespace mogu::runtime::migrate {

using SendFrame = std::function<void(FrameType, std::string_view)>;

// Sends each regular file of `dir` as an image frame; returns the bytes of content sent.
uint64_t send_image_files(const std::string& dir, const SendFrame& send);

struct Round {
    std::string dir;     // the source's image directory of this round (made here)
    std::string logs;    // criu's log directory of this round (made here)
    std::string parent;  // the previous round's directory relative to `dir` ("../pre-1"), or ""
    bool final = false;  // the dump (the container is paused; it stays so), else a pre-dump
};

// Asks the target for this round's page server over the connection `fd`; returns its port. For
// the final round the source asks before it freezes the container: the server's start is not
// part of the freeze.
unsigned ask_page_server(int fd, bool final, const SendFrame& send);

// Runs one round, its page server at `port` on the target at `host` (its address, without port).
// Throws when criu or the target fails; a pre-dump leaves the container running either way.
IterationReport run_round(const Context& ctx, const MigrateOptions& o, bool tcp_established, int fd, const std::string& host,
                          unsigned port, const Round& round, const SendFrame& send);

}  // namespace mogu::runtime::migrate
