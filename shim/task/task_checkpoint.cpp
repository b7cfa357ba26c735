// Checkpoint and restore through containerd, as its runc shim does: Checkpoint runs the runtime's
// `checkpoint` into the directory containerd names (containerd packs it into its content store);
// a Create with a checkpoint directory runs nothing, and its Start runs `restore` from it.
#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "shim/proto/messages.h"
#include "shim/task/checkpoint_options.h"
#include "shim/task/console_socket.h"
#include "shim/task/task_service.h"
#include "shim/task/vm_rootfs.h"

#include <signal.h>
#include <stdio.h>

#include <cerrno>
#include <memory>

namespace mogu::shim {
namespace task = pb::task;
using ttrpc::CallPtr;
using ttrpc::Code;
using ttrpc::StatusError;

namespace {

// criu's work directory for one call: the one asked for, kept; else one in the bundle, removed
// afterwards (its log moved beside it first when the call failed, as runc's shim keeps it).
class CriuWorkDir {
public:
    CriuWorkDir(const std::string& asked, const std::string& bundle, const char* name)
        : path_(asked.empty() ? path_join(bundle, name) : asked), temporary_(asked.empty()) {
        if (temporary_) remove_tree(path_);
        mkdir_p(path_, 0700);
    }
    ~CriuWorkDir() {
        if (!temporary_) return;
        try {
            remove_tree(path_);
        } catch (const std::exception& e) {
            log::warn("remove criu's work directory: {}", e.what());
        }
    }
    CriuWorkDir(const CriuWorkDir&) = delete;
    CriuWorkDir& operator=(const CriuWorkDir&) = delete;

    const std::string& path() const { return path_; }
    // " (criu's log: PATH)" when criu wrote `log_name`, moved out of a temporary directory first.
    std::string keep_log(const char* log_name, const std::string& bundle) const {
        std::string log = path_join(path_, log_name);
        if (!path_exists(log)) return "";
        std::string kept = path_join(bundle, std::string("criu-") + log_name);
        if (temporary_ && ::rename(log.c_str(), kept.c_str()) == 0) log = kept;
        return fmt::format(" (criu's log: {})", log);
    }

private:
    std::string path_;
    bool temporary_;
};

}  // namespace

void TaskService::checkpoint(const CallPtr& call) {
    auto req = call->decode<task::CheckpointTaskRequest>();
    Container& c = container(req->id);
    if (runs_in_vm(c.bundle))
        throw StatusError(Code::unimplemented, "checkpoint {}: containers in VMs (io.mogu.isolation=vm) cannot be checkpointed yet", c.id);
    if (c.init.state != ProcessState::running || !c.in_runtime)
        throw StatusError(Code::failed_precondition, "checkpoint {}: the container is not running", c.id);
    std::string path(pbc::str(req->path));
    if (path.empty()) throw StatusError(Code::invalid_argument, "checkpoint {}: no image path given", c.id);
    CheckpointSettings settings;
    try {
        settings = checkpoint_settings_from_any(req->options);
    } catch (const Error& e) {
        throw StatusError(Code::invalid_argument, "checkpoint {}: {}", c.id, e.what());
    }
    CriuWorkDir work(settings.work_path, c.bundle, "criu-work");
    try {
        c.runtime.checkpoint(c.id, checkpoint_args(settings, path, work.path()));
    } catch (const Error& e) {
        throw Error("checkpoint {} into {}: {}{}", c.id, path, e.what(), work.keep_log("dump.log", c.bundle));
    }
    if (settings.exit) {
        // criu ended the processes and the runtime deleted the container; the init's exit comes
        // in through reap() as any other.
        c.in_runtime = false;
        c.paused = false;
    }
    log::debug("checkpointed {} into {}{}", c.id, path, settings.exit ? ", and it exited" : "");
    call->reply(pbc::make<pb::wkt::Empty>());
}

void TaskService::restore_init(Container& c) {
    std::unique_ptr<ConsoleSocket> console;
    if (c.init.stdio.terminal) console = std::make_unique<ConsoleSocket>();
    std::string pid_file = path_join(c.bundle, "init.pid");
    {
        CriuWorkDir work(c.runtime.options().criu_work_path, c.bundle, "criu-restore");
        try {
            c.runtime.restore(c.id, c.bundle, c.restore_images, work.path(), pid_file, console ? console->path() : "",
                              c.init.io->child_stdio());
        } catch (const Error& e) {
            throw Error("restore {} from {}: {}{}", c.id, c.restore_images, e.what(), work.keep_log("restore.log", c.bundle));
        }
    }
    c.in_runtime = true;
    try {
        c.init.io->runtime_done();
        c.init.pid = read_pid_file(pid_file);
        if (console) c.init.io->attach_console(console->receive_master(), loop_);
    } catch (...) {
        try {
            c.runtime.remove(c.id, true);
            c.in_runtime = false;
        } catch (const std::exception& e) {
            log::warn("clean up after failed restore of {}: {}", c.id, e.what());
        }
        throw;
    }
    c.restore_images.clear();
    watch_init(c);
}

}  // namespace mogu::shim
