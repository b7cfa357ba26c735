// mogu-vm: runs OCI bundles in micro-VMs, with runc's command line (what containerd's runc
// shim and the mogu shim send), plus verbs that show the VM set-up (kernel, initramfs, accel).
// This file parses flags and prints; the work is in kvm-launcher/sandbox.h.
#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/log.h"
#include "common/oci/spec.h"
#include "kvm-launcher/cli/verbs.h"
#include "common/cli_args.h"

#include <cstdio>

using namespace mogu;

namespace {

const std::vector<cli::FlagSpec> kGlobalFlags = {
    {{"root"}, true, false, "root directory for container state (default: \"/run/mogu-vm\")"},
    {{"log"}, true, false, "log file (default: stderr)"},
    {{"log-format"}, true, false, "log format: text (default) or json"},
    {{"debug"}, false, false, "debug logging (also on the guest's console)"},
    {{"systemd-cgroup"}, false, false, "accepted for runc compatibility; the guest has no systemd"},
    {{"criu"}, true, false, "accepted for runc compatibility"},
    {{"rootless"}, true, false, "accepted for runc compatibility"},
    // mogu passes its own flags on with a VM container; the guest's kernel already tells the VM's
    // own truth in its /proc, so the LXCFS views have nothing to add there.
    {{"lxcfs"}, true, false, "accepted from mogu; a VM's /proc is the guest kernel's own"},
    {{"lxcfs-path"}, true, false, "accepted from mogu"},
    {{"help", "h"}, false, false, "show help"},
    {{"version", "v"}, false, false, "print the version"},
};

void usage(FILE* out) {
    fprintf(out, "NAME:\n   mogu-vm - run OCI containers in QEMU micro-VMs\n\nUSAGE:\n"
                 "   mogu-vm [global options] command [command options] [arguments...]\n\nCOMMANDS:\n");
    for (const auto& v : vmcli::verbs()) fprintf(out, "   %-12s%s\n", v.name, v.summary);
    fprintf(out, "\nGLOBAL OPTIONS:\n%s", cli::flags_help(kGlobalFlags).c_str());
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    try {
        cli::Args global("mogu-vm", kGlobalFlags, args, 1);
        std::string format = global.value_or("log-format", "text");
        if (format != "text" && format != "json") throw UsageError("--log-format: unknown format \"{}\" (text or json)", format);
        log::configure(global.value_or("log", ""), format == "json" ? log::Format::json : log::Format::text, global.flag("debug"));
        if (global.flag("version")) {
            printf("mogu-vm version %s\n", vmcli::kVersion);
            return 0;
        }
        const auto& rest = global.positional();
        if (global.flag("help") || rest.empty() || rest[0] == "help") {
            usage(stdout);
            return rest.empty() && !global.flag("help") ? 1 : 0;
        }
        const vmcli::Verb* verb = nullptr;
        for (const auto& v : vmcli::verbs())
            if (rest[0] == v.name) verb = &v;
        if (!verb) throw UsageError("unknown command \"{}\" (see mogu-vm --help)", rest[0]);
        std::vector<cli::FlagSpec> flags = verb->flags;
        flags.push_back({{"help", "h"}, false, false, "show help"});
        std::vector<std::string> verb_args(rest.begin(), rest.end());
        cli::Args parsed(verb->name, flags, verb_args, 1);
        if (parsed.flag("help")) {
            printf("USAGE:\n   mogu-vm %s\n\n%s\n\nOPTIONS:\n%s", verb->usage, verb->summary, cli::flags_help(flags).c_str());
            return 0;
        }
        vm::Context ctx;
        ctx.root = global.value_or("root", ctx.root);
        return verb->run(ctx, parsed);
    } catch (const std::exception& e) {
        // With --log, the error goes there only, as runc does: a shim reads it from the log, and
        // create's stderr is the container's.
        if (log::to_file()) log::write(log::Level::error, e.what());
        else fprintf(stderr, "mogu-vm: %s\n", e.what());
        return 1;
    }
}
