// mogu migrate: `migrate [--cold] [--format json] --to ADDR:PORT ID` on the source and
// `migrate receive --listen ADDR:PORT --bundle-dir DIR` on the target (runtime/migrate/).
#include "common/error.h"
#include "common/json.h"
#include "runtime/cli/command.h"
#include "runtime/migrate/migrate.h"

#include <fmt/format.h>

#include <cstdio>

namespace mogu::cli {
namespace {

namespace mig = runtime::migrate;

bool json_format(const Args& a) {
    auto f = a.value_or("format", "text");
    if (f != "text" && f != "json") throw UsageError("migrate: --format must be text or json, not '{}'", f);
    return f == "json";
}

int run_receive(const runtime::Context& ctx, const Args& a, bool json) {
    a.require_positional(1, 1);
    mig::ReceiveOptions o;
    o.listen = a.value_or("listen", "");
    o.bundle_dir = a.value_or("bundle-dir", "");
    if (o.listen.empty()) throw UsageError("migrate receive: --listen ADDR:PORT is required");
    auto id = mig::receive(ctx, o);
    if (json) {
        JsonWriter w;
        w.begin_object().kv("id", id).kv("received", true).end_object();
        std::puts(w.str().c_str());
    } else {
        std::printf("received %s\n", id.c_str());
    }
    return 0;
}

int run_migrate(const runtime::Context& ctx, const Args& a) {
    bool json = json_format(a);
    if (!a.positional().empty() && a.positional()[0] == "receive" && a.value("listen")) return run_receive(ctx, a, json);
    a.require_positional(1, 1);
    mig::MigrateOptions o;
    o.id = a.positional()[0];
    o.to = a.value_or("to", "");
    if (o.to.empty()) throw UsageError("migrate: --to ADDR:PORT (the target's `mogu migrate receive`) is required");
    o.mode = a.flag("cold") ? mig::Mode::cold : mig::Mode::live;
    o.tcp_established = !a.flag("no-tcp-established");
    o.work_dir = a.value_or("work-dir", "");
    auto r = mig::migrate(ctx, o);
    if (json) {
        JsonWriter w;
        w.begin_object()
            .kv("id", o.id)
            .kv("mode", std::string(mig::mode_name(r.mode)))
            .kv("to", o.to)
            .kv("freeze_seconds", r.freeze_seconds)
            .kv("total_seconds", r.total_seconds)
            .kv("bytes_sent", r.bytes_sent)
            .kv("rootfs_bytes", r.rootfs_bytes)
            .kv("image_bytes", r.image_bytes)
            .end_object();
        std::puts(w.str().c_str());
    } else {
        std::printf("%s: %s migration to %s done: freeze %.3f s, total %.3f s, %llu bytes sent\n", o.id.c_str(),
                    mig::mode_name(r.mode), o.to.c_str(), r.freeze_seconds, r.total_seconds,
                    static_cast<unsigned long long>(r.bytes_sent));
    }
    return 0;
}

}  // namespace

const Command migrate_command = {
    "migrate",
    "migrate [command options] --to ADDR:PORT <container-id> | migrate receive --listen ADDR:PORT --bundle-dir DIR",
    "move a container to another host's mogu (live with criu, or --cold)",
    {
        {{"to"}, true, false, "ADDR:PORT of the target's `mogu migrate receive`"},
        {{"cold"}, false, false, "stop the container and start it afresh on the target instead of dumping it"},
        {{"no-tcp-established"}, false, false, "live: do not carry established TCP connections"},
        {{"work-dir"}, true, false, "where the criu images are written on the source (default /var/tmp)"},
        {{"format"}, true, false, "text or json"},
        {{"listen"}, true, false, "receive: ADDR:PORT to accept the source's connection on"},
        {{"bundle-dir"}, true, false, "receive: the target's bundle directory (its rootfs/ holds the image)"},
    },
    run_migrate,
};

}  // namespace mogu::cli
