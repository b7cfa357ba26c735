// containerd-shim-mogu-v2: parses containerd's shim command line and runs a subcommand.
#include "common/error.h"
#include "common/log.h"
#include "shim/commands.h"
#include "shim/version.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace mogu;
using namespace mogu::shim;

namespace {

// Go's flag package: -name value, -name=value, --name value; booleans take no value.
std::string parse(int argc, char** argv, ShimFlags& f, bool& version) {
    std::string command;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a.size() < 2 || a[0] != '-') {
            if (!command.empty()) throw UsageError("unexpected argument {}", a);
            command = a;
            continue;
        }
        std::string name = a.substr(a[1] == '-' ? 2 : 1), value;
        bool has_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            has_value = true;
        }
        if (name == "v" || name == "version") { version = true; continue; }
        if (name == "debug") { f.debug = !has_value || value == "true"; continue; }
        std::string* dest = name == "namespace" ? &f.ns
                          : name == "address" ? &f.address
                          : name == "publish-binary" ? &f.publish_binary
                          : name == "id" ? &f.id
                          : name == "bundle" ? &f.bundle
                          : nullptr;
        if (!dest) {
            if (name == "socket" || name == "systemd-cgroup" || name == "criu") {  // other shims' flags
                if (!has_value && i + 1 < argc && argv[i + 1][0] != '-') i++;
                continue;
            }
            throw UsageError("unknown flag -{}", name);
        }
        if (!has_value) {
            if (i + 1 >= argc) throw UsageError("flag -{} needs a value", name);
            value = argv[++i];
        }
        *dest = value;
    }
    return command;
}

}  // namespace

int main(int argc, char** argv) {
    ShimFlags flags;
    bool version = false;
    try {
        std::string command = parse(argc, argv, flags, version);
        if (version) {
            printf("%s:\n  Version:  %s\n", kShimName, kShimVersion);
            return 0;
        }
        if (flags.ns.empty())
            if (const char* ns = getenv("NAMESPACE")) flags.ns = ns;
        if (flags.ns.empty()) throw UsageError("-namespace is required");
        if (const char* t = getenv("TTRPC_ADDRESS")) flags.ttrpc_address = t;
        if (flags.debug) log::configure("", log::Format::text, true);
        if (command == "start") return run_start(flags);
        if (command == "delete") return run_delete(flags);
        if (command.empty()) throw UsageError("missing command: start or delete");
        throw UsageError("unknown command {}: use start or delete", command);
    } catch (const std::exception& e) {
        fprintf(stderr, "%s: %s\n", kShimName, e.what());
        return 1;
    }
}
