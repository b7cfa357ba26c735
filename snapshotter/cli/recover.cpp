#include "snapshotter/recover.h"

#include "common/error.h"
#include "common/strings.h"
#include "snapshotter/cli/cli.h"

#include <cstdio>

namespace mogu::snap::cli {

int recover(const Config& c, const Args& args) {
    RecoverTarget t;
    bool list = false, release = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw UsageError("recover: {} wants a value", a);
            return args[++i];
        };
        if (a == "--list") list = true;
        else if (a == "--release") release = true;
        else if (a == "--key") t.key = value();
        else if (a == "--device-id") {
            auto id = parse_uint(value());
            if (!id || *id >= (1u << 24)) throw UsageError("recover: --device-id wants a thin device number");
            t.device_id = static_cast<uint32_t>(*id);
        } else if (a == "--mount") t.mount_dir = value();
        else throw UsageError("recover: unknown argument \"{}\"", a);
    }
    if (list) {
        std::printf("%-8s %-14s %-10s %s\n", "DEVICE", "MAPPED_BLOCKS", "KIND", "KEY");
        for (auto& e : recover_list(c))
            std::printf("%-8u %-14llu %-10s %s\n", e.record.dev_id, (unsigned long long)e.record.mapped_blocks,
                        e.kind.empty() ? "-" : e.kind.c_str(), e.key.empty() ? "-" : e.key.c_str());
        return 0;
    }
    if (t.mount_dir.empty()) throw UsageError("recover: --mount DIR is required");
    if (release) {
        recover_release(c, t.mount_dir);
        std::printf("released %s\n", t.mount_dir.c_str());
        return 0;
    }
    if (t.key.empty() == !t.device_id.has_value()) throw UsageError("recover: give exactly one of --key and --device-id");
    auto dev = recover_mount(c, t);
    std::printf("%s mounted read-only on %s\n", dev.c_str(), t.mount_dir.c_str());
    return 0;
}

}  // namespace mogu::snap::cli
