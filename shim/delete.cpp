#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "shim/commands.h"
#include "shim/proto/messages.h"
#include "shim/task/publisher.h"
#include "shim/task/rootfs.h"
#include "shim/task/runtime_cli.h"
#include "shim/task/wire_values.h"
#include "shim/task/vm_rootfs.h"
#include "ttrpc/socket.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>

namespace mogu::shim {

int run_delete(const ShimFlags& flags) {
    if (flags.id.empty()) throw UsageError("delete: -id is required");
    std::string bundle = flags.bundle;
    if (bundle.empty()) {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd)) throw SysError(errno, "getcwd");
        bundle = cwd;
    }
    RuntimeOptions opts = load_options(bundle, flags.ns);
    RuntimeCli runtime(opts, path_join(bundle, "log.json"));
    try {
        runtime.remove(flags.id, true);
    } catch (const std::exception& e) {
        log::warn("delete {}: {}", flags.id, e.what());  // already gone is fine
    }
    // A block device handed to a VM was never mounted here (task/vm_rootfs.h).
    if (!rootfs_device_passed(bundle)) unmount_all(path_join(bundle, "rootfs"));
    pid_t pid = 0;
    try {
        pid = read_pid_file(path_join(bundle, "init.pid"));
    } catch (const std::exception&) {
    }
    // The dead shim's socket, unless another shim (a pod's) still serves it.
    if (auto addr = read_file_if_exists(path_join(bundle, "address"))) {
        try {
            ttrpc::connect_unix(*addr);
        } catch (const std::exception&) {
            try {
                ttrpc::remove_socket(*addr);
            } catch (const std::exception&) {
            }
        }
    }
    pbc::Arena arena;
    auto r = pbc::make<pb::task::DeleteResponse>();
    r.pid = uint32_t(pid);
    r.exit_status = 128 + SIGKILL;
    r.exited_at = wire_timestamp(arena, now_timestamp());
    std::string out = pbc::pack(r);
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

}  // namespace mogu::shim
