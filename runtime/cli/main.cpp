// mogu: an OCI runtime with runc's command line. This file parses the global flags, picks the
// verb, and is the one place errors are printed.
#include "common/error.h"
#include "common/log.h"
#include "runtime/cli/command.h"
#include "runtime/cli/vm_dispatch.h"
#include "runtime/rootless.h"
#include "runtime/version.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

using namespace mogu;

namespace {

const std::vector<cli::FlagSpec> kGlobalFlags = {
    {{"root"}, true, false, "root directory for storage of container state (default: \"/run/mogu\")"},
    {{"log"}, true, false, "set the log file to write mogu logs to (default is stderr)"},
    {{"log-format"}, true, false, "set the log format ('text' (default), or 'json')"},
    {{"debug"}, false, false, "enable debug logging"},
    {{"systemd-cgroup"}, false, false, "use the systemd cgroup driver (needs systemd)"},
    {{"criu"}, true, false, "path to the criu binary used for checkpoint and restore"},
    {{"rootless"}, true, false, "ignore cgroup permission errors ('true', 'false', or 'auto')"},
    {{"lxcfs"}, true, false, "LXCFS views for containers without an io.mogu.lxcfs annotation ('true', 'false' (default), 'required')"},
    {{"lxcfs-path"}, true, false, "where LXCFS is mounted (default: \"/var/lib/lxcfs\")"},
    {{"help", "h"}, false, false, "show help"},
    {{"version", "v"}, false, false, "print the version"},
};

void print_usage(FILE* out) {
    fprintf(out, "NAME:\n   mogu - an OCI container runtime\n\nUSAGE:\n   mogu [global options] command [command options] [arguments...]\n\nCOMMANDS:\n");
    for (const auto* c : cli::all_commands()) fprintf(out, "   %-12s%s\n", c->name, c->summary);
    fprintf(out, "\nGLOBAL OPTIONS:\n%s", cli::flags_help(kGlobalFlags).c_str());
}

void print_command_usage(const cli::Command& c) {
    printf("NAME:\n   mogu %s - %s\n\nUSAGE:\n   mogu %s\n", c.name, c.summary, c.usage);
    if (!c.flags.empty()) printf("\nOPTIONS:\n%s", cli::flags_help(c.flags).c_str());
}

// Errors go to stderr as "mogu: message"; when --log names a file, into it as well, and stderr
// gets the bare message, as runc 1.1 does (its fatal()): containerd shows the last error of the
// log, while its runc shim reads stderr to tell "does not exist" (a container a checkpoint
// already deleted) from a real failure of delete.
int fail(const std::string& message, int exit_code = 1) {
    if (log::to_file()) {
        log::write(log::Level::error, message);
        fprintf(stderr, "%s\n", message.c_str());
    } else {
        fprintf(stderr, "mogu: %s\n", message.c_str());
    }
    return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    // A peer that goes away (a hook that ignores its stdin, a closed socket) is an error to
    // report, not a reason to die; children get default handlers back before they exec.
    ::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> args(argv, argv + argc);
    try {
        cli::Args global("mogu", kGlobalFlags, args, 1);
        log::Format format = log::Format::text;
        std::string fmt_name = global.value_or("log-format", "text");
        if (fmt_name == "json") format = log::Format::json;
        else if (fmt_name != "text") throw UsageError("--log-format: unknown format \"{}\" (text or json)", fmt_name);
        log::configure(global.value_or("log", ""), format, global.flag("debug"));

        if (global.flag("version")) {
            printf("%s", version_text().c_str());
            return 0;
        }
        const auto& rest = global.positional();
        if (global.flag("help") || rest.empty() || rest[0] == "help") {
            if (rest.size() >= 2) {
                for (const auto* c : cli::all_commands())
                    if (rest[1] == c->name) {
                        print_command_usage(*c);
                        return 0;
                    }
            }
            print_usage(stdout);
            return rest.empty() && !global.flag("help") ? 1 : 0;
        }
        const cli::Command* command = nullptr;
        for (const auto* c : cli::all_commands())
            if (rest[0] == c->name) command = c;
        if (!command) throw UsageError("unknown command \"{}\" (see mogu --help)", rest[0]);

        runtime::Context ctx;
        ctx.root = global.value_or("root", runtime::default_state_root());
        ctx.systemd_cgroup = global.flag("systemd-cgroup");
        if (auto v = global.value("lxcfs")) {
            auto mode = runtime::lxcfs::parse_mode(*v);
            if (!mode) throw UsageError("--lxcfs: \"{}\" is not one of true, false, required", *v);
            ctx.lxcfs_default = *mode;
        }
        ctx.criu_path = global.value_or("criu", "");
        if (auto p = global.value("lxcfs-path")) {
            if (p->empty() || (*p)[0] != '/') throw UsageError("--lxcfs-path: \"{}\" is not an absolute path", *p);
            ctx.lxcfs_mount_point = *p;
        }

        std::vector<cli::FlagSpec> flags = command->flags;
        flags.push_back({{"help", "h"}, false, false, "show help"});
        std::vector<std::string> verb_args(rest.begin(), rest.end());
        cli::Args parsed(command->name, flags, verb_args, 1, command->flag_placement);
        if (parsed.flag("help")) {
            print_command_usage(*command);
            return 0;
        }
        log::debug("mogu {}", command->name);
        cli::dispatch_vm_container(args, ctx, parsed);  // io.mogu.isolation=vm: mogu-vm takes over
        try {
            return command->run(ctx, parsed);
        } catch (const UsageError&) {
            throw;
        } catch (const std::exception& e) {
            return fail(command->failure_prefix + std::string(e.what()), command->failure_exit_code);
        }
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}
