// mogu migrate: `migrate [--cold] [--max-iterations N] [--no-post-copy] [--format json] --to ADDR:PORT ID` on the source and
// `migrate receive --listen ADDR:PORT --bundle-dir DIR` on the target (runtime/migrate/).
#include "common/error.h"
#include "common/json.h"
#include "runtime/cli/command.h"
#include "runtime/migrate/migrate.h"

#include <fmt/core.h>

#include <charconv>
#include <cstdio>

namespace mogu::cli {
namespace {

namespace mig = runtime::migrate;

bool json_format(const Args& a) {
    auto f = a.value_or("format", "text");
    if (f != "text" && f != "json") throw UsageError("migrate: --format must be text or json, not '{}'", f);
    return f == "json";
}

int parse_max_iterations(const std::string& text) {
    int n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n < 0 || n > 100)
        throw UsageError("migrate: --max-iterations must be a number 0-100 (0: stop-and-copy), not '{}'", text);
    return n;
}

int run_receive(const runtime::Context& ctx, const Args& a, bool json) {
    a.require_positional(1, 1);
    mig::ReceiveOptions o;
    o.listen = a.value_or("listen", "");
    o.bundle_dir = a.value_or("bundle-dir", "");
    o.cgroups_path = a.value_or("cgroups-path", "");
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
    o.post_copy = !a.flag("no-post-copy");
    o.work_dir = a.value_or("work-dir", "");
    if (auto n = a.value("max-iterations")) o.max_iterations = parse_max_iterations(*n);
    // JSON carries it as "fallback"; text prints it on stderr when it happens.
    if (!json) o.notice = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    auto r = mig::migrate(ctx, o);
    const char* copy = r.mode == mig::Mode::cold ? "cold" : r.precopy ? "pre-copy" : "stop-and-copy";
    if (json) {
        JsonWriter w;
        w.begin_object()
            .kv("id", o.id)
            .kv("mode", std::string(mig::mode_name(r.mode)))
            .kv("copy", std::string(copy))
            .kv("post_copy", r.post_copy)
            .kv("to", o.to)
            .kv("freeze_seconds", r.freeze_seconds)
            .kv("total_seconds", r.total_seconds)
            .kv("bytes_sent", r.bytes_sent)
            .kv("rootfs_bytes", r.rootfs_bytes)
            .kv("image_bytes", r.image_bytes);
        if (!r.fallback.empty()) w.kv("fallback", r.fallback);
        w.key("iterations").begin_array();
        for (const auto& it : r.iterations)
            w.begin_object().kv("final", it.final).kv("pages_bytes", it.pages_bytes).kv("seconds", it.seconds).end_object();
        w.end_array().end_object();
        std::puts(w.str().c_str());
    } else {
        int n = 0;
        for (const auto& it : r.iterations)
            std::printf("%s: %s %d: %llu bytes of pages in %.3f s\n", o.id.c_str(), it.final ? "final dump" : "pre-dump", it.final ? n : ++n,
                        static_cast<unsigned long long>(it.pages_bytes), it.seconds);
        std::printf("%s: %s %s migration to %s done: freeze %.3f s, total %.3f s, %llu bytes sent%s\n", o.id.c_str(), copy,
                    mig::mode_name(r.mode), o.to.c_str(), r.freeze_seconds, r.total_seconds, static_cast<unsigned long long>(r.bytes_sent),
                    r.post_copy ? " (post-copy: the target fills in its memory as it runs)" : "");
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
        {{"no-post-copy"}, false, false, "live: the target loads all memory before the container runs (default: it runs at once, memory follows)"},
        {{"max-iterations"}, true, false, "live: pre-dumps at most before the final dump (default 5; 0: stop-and-copy)"},
        {{"work-dir"}, true, false, "where the criu images are written on the source (default /var/tmp)"},
        {{"format"}, true, false, "text or json"},
        {{"listen"}, true, false, "receive: ADDR:PORT to accept the source's connection on"},
        {{"cgroups-path"}, true, false, "receive, live: the restored container's cgroup in place of its config's linux.cgroupsPath"},
        {{"bundle-dir"}, true, false, "receive: the target's bundle directory (its rootfs/ holds the image)"},
    },
    run_migrate,
};

}  // namespace mogu::cli
