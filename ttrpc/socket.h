// Unix socket addresses as containerd writes them ("unix:///run/containerd/s/<hash>" or a
// plain path) and the listen/connect calls behind them.
#pragma once

#include "common/fd.h"

#include <string>

namespace mogu::ttrpc {

// Strips "unix://"; refuses other schemes. "@name" is an abstract socket.
std::string socket_path(const std::string& address);
// Binds and listens (non-blocking, close-on-exec). An existing socket file is an error.
UniqueFd listen_unix(const std::string& address);
// Blocking connect; throws SysError naming the address.
UniqueFd connect_unix(const std::string& address);
// Removes the socket file behind an address (not for abstract sockets); a missing file is fine.
void remove_socket(const std::string& address);

}  // namespace mogu::ttrpc
