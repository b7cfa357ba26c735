// The TCP ends of a migration: the source connects, the receiver listens for one connection.
#pragma once

#include "common/fd.h"

#include <string>

namespace mogu::runtime::migrate {

// Connects to ADDR:PORT within `timeout_seconds`; the socket then times out reads and writes
// after `io_timeout_seconds` (a target that hangs is a failure, not a wait forever).
UniqueFd connect_to(const std::string& address, int timeout_seconds, int io_timeout_seconds);
// Binds ADDR:PORT (SO_REUSEADDR), accepts one connection and closes the listener.
UniqueFd accept_one(const std::string& address, int io_timeout_seconds);
// For a wait as long as the peer's work takes (post-copy: until the target has all of the
// container's memory): reads no longer time out, and TCP keepalive probes find a peer that
// died or became unreachable within ~25 s instead.
void wait_on_live_peer(int fd);

}  // namespace mogu::runtime::migrate
