// checkpoint and restore: runc's flags (runc 1.1's checkpoint.go and restore.go) into the
// runtime library's CheckpointOptions and RestoreOptions.
#include "common/error.h"
#include "runtime/cli/command.h"

namespace mogu::cli {
namespace {

std::vector<FlagSpec> criu_flags() {
    return {
        {{"image-path"}, true, false, "path for saving criu image files (default: ./checkpoint)"},
        {{"work-path"}, true, false, "path for saving work files and logs (default: the image path)"},
        {{"tcp-established"}, false, false, "allow open tcp connections"},
        {{"ext-unix-sk"}, false, false, "allow external unix sockets"},
        {{"shell-job"}, false, false, "allow shell jobs"},
        {{"file-locks"}, false, false, "handle file locks, for safety"},
        {{"manage-cgroups-mode"}, true, false, "cgroups mode: soft (default), full, strict, ignore"},
        {{"empty-ns"}, true, true, "create a namespace, but don't restore its properties (network)"},
        {{"auto-dedup"}, false, false, "enable auto deduplication of memory images"},
        {{"lazy-pages"}, false, false, "use userfaultfd to lazily restore memory pages"},
    };
}

void fill_criu_options(runtime::CriuOptions& o, const Args& a) {
    o.image_path = a.value_or("image-path", "");
    o.work_path = a.value_or("work-path", "");
    o.tcp_established = a.flag("tcp-established");
    o.ext_unix_sk = a.flag("ext-unix-sk");
    o.shell_job = a.flag("shell-job");
    o.file_locks = a.flag("file-locks");
    o.manage_cgroups_mode = a.value_or("manage-cgroups-mode", "");
    for (const auto& v : a.values("empty-ns")) o.empty_ns.push_back(v);
    o.auto_dedup = a.flag("auto-dedup");
    o.lazy_pages = a.flag("lazy-pages");
}

int run_checkpoint(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    runtime::CheckpointOptions o;
    fill_criu_options(o, a);
    o.id = a.positional()[0];
    o.parent_path = a.value_or("parent-path", "");
    o.leave_running = a.flag("leave-running");
    o.pre_dump = a.flag("pre-dump");
    o.page_server = a.value_or("page-server", "");
    if (auto fd = a.int_value("status-fd")) o.status_fd = static_cast<int>(*fd);
    runtime::checkpoint(ctx, o);
    return 0;
}

int run_restore(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    runtime::RestoreOptions o;
    fill_criu_options(o, a);
    o.id = a.positional()[0];
    o.bundle = a.value_or("bundle", ".");
    o.pid_file = a.value_or("pid-file", "");
    o.console_socket = a.value_or("console-socket", "");
    o.detach = a.flag("detach");
    o.no_subreaper = a.flag("no-subreaper");
    o.no_pivot = a.flag("no-pivot");
    return runtime::restore(ctx, o);
}

std::vector<FlagSpec> checkpoint_flags() {
    auto f = criu_flags();
    f.insert(f.end(), {
                          {{"parent-path"}, true, false, "path for previous criu image files in pre-dump (relative to the image path)"},
                          {{"leave-running"}, false, false, "leave the process running after checkpointing"},
                          {{"pre-dump"}, false, false, "dump the container's memory information only, leave the container running after this"},
                          {{"page-server"}, true, false, "ADDRESS:PORT of a criu page server to send the pages to"},
                          {{"status-fd"}, true, false, "criu writes \\0 to this FD once lazy-pages is ready"},
                      });
    return f;
}

std::vector<FlagSpec> restore_flags() {
    auto f = criu_flags();
    f.insert(f.end(), {
                          {{"bundle", "b"}, true, false, "path to the root of the bundle directory"},
                          {{"detach", "d"}, false, false, "detach from the container's process"},
                          {{"pid-file"}, true, false, "specify the file to write the process id to"},
                          {{"console-socket"}, true, false, "path to an AF_UNIX socket which will receive the pseudoterminal's master"},
                          {{"no-subreaper"}, false, false, "disable the use of the subreaper used to reap reparented processes"},
                          {{"no-pivot"}, false, false, "do not use pivot root to jail process inside rootfs"},
                      });
    return f;
}

}  // namespace

const Command checkpoint_command = {"checkpoint", "checkpoint [command options] <container-id>", "checkpoint a running container",
                                    checkpoint_flags(), run_checkpoint};
const Command restore_command = {"restore", "restore [command options] <container-id>", "restore a container from a previous checkpoint",
                                 restore_flags(), run_restore};

}  // namespace mogu::cli
