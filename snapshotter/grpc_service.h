// containerd.services.snapshots.v1.Snapshots over gRPC on a unix socket: turns requests into
// Snapshotter calls and SnapError kinds into the status codes containerd's errdefs understand.
#pragma once

#include "snapshotter/snapshotter.h"

#include <string>

namespace mogu::snap {

// Serves until SIGTERM or SIGINT. The socket is made 0600 and removed on the way out.
void serve_grpc(Snapshotter& snapshotter, const std::string& socket_path);

}  // namespace mogu::snap
