// mogu-snapshotter: container root filesystems on device-mapper thin provisioning.
#include "common/error.h"
#include "common/log.h"
#include "snapshotter/cli/cli.h"

#include <cstdio>
#include <cstring>

namespace {

const char* kUsage =
    "usage: mogu-snapshotter [--config FILE] [--debug] [--log FILE] COMMAND\n"
    "  serve                                   serve containerd's Snapshots API on the configured socket\n"
    "  pool create|activate|status|destroy     manage the thin pool\n"
    "  pool deactivate                         take the pool (and its cache) down, data kept (daemon stopped)\n"
    "  pool cache attach|detach                add the SSD cache (cache_device) under the running pool, or\n"
    "                                          flush it and put the origin back (containers keep running)\n"
    "  recover --list                          the pool's thin devices (works without the database)\n"
    "  recover --key KEY|--device-id N --mount DIR   mount a device read-only (daemon stopped)\n"
    "  recover --release --mount DIR           unmount and drop it\n"
    "  snapshots [--address SOCK] VERB ...     talk to a running daemon: prepare KEY [PARENT], view KEY [PARENT],\n"
    "                                          commit NAME KEY, remove KEY, stat KEY, list [FILTER...], usage KEY,\n"
    "                                          mounts KEY, label KEY NAME[=VALUE], cleanup\n"
    "config: a TOML file (default /etc/mogu/snapshotter.toml), see docs/snapshotter.md\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace mogu;
    std::string config_path = "/etc/mogu/snapshotter.toml", log_path;
    bool debug = false;
    int i = 1;
    try {
        for (; i < argc && argv[i][0] == '-'; ++i) {
            std::string a = argv[i];
            if (a == "--config" && i + 1 < argc) config_path = argv[++i];
            else if (a == "--log" && i + 1 < argc) log_path = argv[++i];
            else if (a == "--debug") debug = true;
            else if (a == "--help" || a == "-h") { std::fputs(kUsage, stdout); return 0; }
            else throw UsageError("unknown option \"{}\"", a);
        }
        log::configure(log_path, log::Format::text, debug);
        if (i >= argc) throw UsageError("no command");
        std::string cmd = argv[i++];
        snap::cli::Args args(argv + i, argv + argc);
        auto config = snap::load_config(config_path);
        if (cmd == "serve") return snap::cli::serve(config, args);
        if (cmd == "pool") return snap::cli::pool(config, args);
        if (cmd == "recover") return snap::cli::recover(config, args);
        if (cmd == "snapshots") return snap::cli::snapshots(config, args);
        throw UsageError("unknown command \"{}\"", cmd);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "mogu-snapshotter: %s\n%s", e.what(), kUsage);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mogu-snapshotter: %s\n", e.what());
        return 1;
    }
}
