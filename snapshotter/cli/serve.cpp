#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "snapshotter/cli/cli.h"
#include "snapshotter/grpc_service.h"
#include "snapshotter/metadata.h"
#include "snapshotter/snapshotter.h"
#include "snapshotter/thin_pool.h"

namespace mogu::snap::cli {

int serve(const Config& c, const Args& args) {
    if (!args.empty()) throw UsageError("serve takes no arguments");
    mkdir_p(c.root_path, 0700);
    ThinPool pool(c);
    MetaStore store(c.db_path());
    Snapshotter snapshotter(c, pool, store);
    for (auto& repair : snapshotter.start()) log::warn("repaired: {}", repair);
    serve_grpc(snapshotter, c.address);
    return 0;
}

}  // namespace mogu::snap::cli
