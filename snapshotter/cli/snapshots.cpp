#include "common/error.h"
#include "common/strings.h"
#include "snapshotter/cli/cli.h"
#include "snapshotter/grpc_client.h"

#include <cstdio>

namespace mogu::snap::cli {
namespace {

void print_mounts(const std::vector<Mount>& ms) {
    for (auto& m : ms) std::printf("%s %s %s\n", m.type.c_str(), m.source.c_str(), join(m.options, ",").c_str());
}

void print_info(const Info& i) {
    std::printf("name: %s\nparent: %s\nkind: %s\n", i.name.c_str(), i.parent.c_str(), kind_name(i.kind));
    for (auto& [k, v] : i.labels) std::printf("label: %s=%s\n", k.c_str(), v.c_str());
}

}  // namespace

int snapshots(const Config& c, const Args& all) {
    std::string address = c.address;
    size_t i = 0;
    if (i + 1 < all.size() && all[i] == "--address") { address = all[i + 1]; i += 2; }
    if (i >= all.size()) throw UsageError("snapshots wants a verb");
    std::string verb = all[i++];
    Args a(all.begin() + static_cast<long>(i), all.end());
    auto want = [&](size_t lo, size_t hi) {
        if (a.size() < lo || a.size() > hi) throw UsageError("snapshots {}: wrong number of arguments", verb);
    };
    SnapshotsClient client(address);
    if (verb == "prepare") { want(1, 2); print_mounts(client.prepare(a[0], a.size() > 1 ? a[1] : "")); }
    else if (verb == "view") { want(1, 2); print_mounts(client.view(a[0], a.size() > 1 ? a[1] : "")); }
    else if (verb == "mounts") { want(1, 1); print_mounts(client.mounts(a[0])); }
    else if (verb == "commit") { want(2, 2); client.commit(a[0], a[1]); }
    else if (verb == "remove") { want(1, 1); client.remove(a[0]); }
    else if (verb == "stat") { want(1, 1); print_info(client.stat(a[0])); }
    else if (verb == "usage") { want(1, 1); auto u = client.usage(a[0]); std::printf("size: %lld\ninodes: %lld\n", (long long)u.size, (long long)u.inodes); }
    else if (verb == "list") { for (auto& info : client.list(a)) std::printf("%s\t%s\t%s\n", info.name.c_str(), kind_name(info.kind), info.parent.c_str()); }
    else if (verb == "cleanup") { want(0, 0); client.cleanup(); }
    else if (verb == "label") {
        want(2, 2);
        Info info;
        info.name = a[0];
        auto eq = a[1].find('=');
        std::string k = a[1].substr(0, eq);
        if (eq != std::string::npos) info.labels[k] = a[1].substr(eq + 1);
        print_info(client.update(info, {"labels." + k}));
    } else throw UsageError("unknown snapshots verb \"{}\"", verb);
    return 0;
}

}  // namespace mogu::snap::cli
