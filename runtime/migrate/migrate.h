// mogu migrate: moves a container to another host's mogu (`mogu migrate receive` there).
// Live: the bundle's config.json is sent, the container is dumped by criu (frozen from then on),
// the files of its rootfs changed since it was created and criu's images follow, and the target
// restores it. Cold: the container is stopped instead and started afresh on the target.
// Until the target reports the container running, a failure puts the source back as it was:
// untouched when it happens before the dump or stop, restored (live) or started again (cold)
// from the same images and bundle after it.
// Pre-copy (live, when the kernel tracks dirty memory): criu pre-dumps the running container
// into page servers on the target, each round sending only the pages dirtied since the one
// before, while the rounds shrink (precopy_plan.h); then the container is paused, dumped on the
// last round (leave running: it stays paused here), its files and the small images follow, and
// the target restores it. A failure before the target runs it resumes it here as it was.
#pragma once

#include "runtime/migrate/manifest.h"
#include "runtime/runtime.h"

#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mogu::runtime::migrate {

struct MigrateOptions {
    std::string id;
    std::string to;  // ADDR:PORT of the receiver
    Mode mode = Mode::live;
    bool tcp_established = true;  // live: carry the container's established TCP connections
    std::string work_dir;         // where the images are written (default: a fresh dir in /var/tmp)
    int max_iterations = 5;       // live: pre-dumps at most; 0 = stop-and-copy
    // live: the target runs the container as soon as criu has restored its processes, and
    // criu's lazy-pages daemon there fills in their memory from the target's copy of the
    // images (post-copy); false: the target loads all of it first (the freeze grows with it).
    bool post_copy = true;
    // Told one line when pre-copy cannot run here and stop-and-copy runs instead (the CLI prints it).
    std::function<void(const std::string&)> notice;
};

// One round of pre-copy: a pre-dump, or the final dump.
struct IterationReport {
    bool final = false;
    uint64_t pages_bytes = 0;  // the pages the target's page server received
    double seconds = 0;        // the round, from asking for a page server to the target's count
};

struct MigrateReport {
    Mode mode = Mode::live;
    bool precopy = false;          // live: pre-copy ran (else stop-and-copy)
    std::string fallback;          // why stop-and-copy ran instead of pre-copy, or ""
    bool post_copy = false;        // live: the target restored it post-copy (memory filled in after)
    std::vector<IterationReport> iterations;  // pre-copy's rounds, the final dump last
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
    std::string cgroups_path;  // live: the restored container's cgroup in place of the config's
};
// Accepts one connection, receives a container and restores (live) or starts (cold) it under
// ctx.root. Returns the id on success; throws when the transfer or the restore failed (the
// source is told why first), leaving no container, process or images behind. Post-copy (the
// source asks, and this kernel has userfaultfd): the restored container runs from the moment
// the source is told, and this returns once criu's lazy-pages daemon has filled in its memory.
std::string receive(const Context& ctx, const ReceiveOptions& opts);

}  // namespace mogu::runtime::migrate
