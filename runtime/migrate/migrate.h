// mogu migrate: moves a container to another host's mogu (`mogu migrate receive` there).
// Live: the bundle's config.json is sent, the container is dumped by criu (frozen from then on),
// the files of its rootfs changed since it was created and criu's images follow, and the target
// restores it. Cold: the container is stopped instead and started afresh on the target.
// Until the target reports the container running, a failure puts the source back as it was:
// untouched when it happens before the dump or stop, restored (live) or started again (cold)
// from the same images and bundle after it.
#pragma once

#include "runtime/migrate/manifest.h"
#include "runtime/runtime.h"

#include <netinet/in.h>

#include <cstdint>
#include <string>

namespace mogu::runtime::migrate {

struct MigrateOptions {
    std::string id;
    std::string to;  // ADDR:PORT of the receiver
    Mode mode = Mode::live;
    bool tcp_established = true;  // live: carry the container's established TCP connections
    std::string work_dir;         // where the images are written (default: a fresh dir in /var/tmp)
};

struct MigrateReport {
    Mode mode = Mode::live;
    double freeze_seconds = 0;  // dump (or stop) until the target reports the container running
    double total_seconds = 0;
    uint64_t bytes_sent = 0;
    uint64_t rootfs_bytes = 0;  // the tar of changed files
    uint64_t image_bytes = 0;   // criu's images
};

// Throws Error on failure; the message says what became of the source container.
MigrateReport migrate(const Context& ctx, const MigrateOptions& opts);

struct ReceiveOptions {
    std::string listen;      // ADDR:PORT
    std::string bundle_dir;  // the target's bundle: holds rootfs/ (the image) already
};
// Accepts one connection, receives a container and restores (live) or starts (cold) it under
// ctx.root. Returns the id on success; throws when the transfer or the restore failed (the
// source is told why first), leaving no container, process or images behind.
std::string receive(const Context& ctx, const ReceiveOptions& opts);

}  // namespace mogu::runtime::migrate
