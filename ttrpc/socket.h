// Unix socket addresses as containerd writes them ("unix:///run/containerd/s/<hash>" or a
// plain path) and the listen/connect calls behind them.
#pragma once

#include "common/fd.h"

#include <sys/types.h>

#include <string>

namespace mogu::ttrpc {

// Strips "unix://"; refuses other schemes. "@name" is an abstract socket.
std::string socket_path(const std::string& address);
// Binds and listens (non-blocking, close-on-exec). An existing socket file is an error. A socket
// file is made 0600 before it listens (whatever the umask), so only its owner (and root) can
// connect, as containerd's shims do; an abstract socket has no mode, so a server on one must
// check its peers (peer_is_trusted).
UniqueFd listen_unix(const std::string& address);
// True when the peer of a connected unix socket runs as our effective uid, or as root; false
// when it does not or its credentials cannot be read. containerd's ttrpc servers require the
// same user (UnixSocketRequireSameUser); root is let in too.
bool peer_is_trusted(int fd, uid_t* peer_uid = nullptr);
// Blocking connect; throws SysError naming the address.
UniqueFd connect_unix(const std::string& address);
// Removes the socket file behind an address (not for abstract sockets); a missing file is fine.
void remove_socket(const std::string& address);

}  // namespace mogu::ttrpc
