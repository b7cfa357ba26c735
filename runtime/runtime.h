// The runtime library: what each verb does, independent of how it was asked for. The CLI
// (runtime/cli/) only turns flags into these options; the shim can call the same functions.
#pragma once

#include "common/oci/spec.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/lxcfs/lxcfs.h"
#include "runtime/state.h"

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace mogu::runtime {

struct Context {
    std::string root = "/run/mogu";
    bool systemd_cgroup = false;
    // LXCFS views for containers whose spec does not say (io.mogu.lxcfs), and where LXCFS is.
    lxcfs::Mode lxcfs_default = lxcfs::Mode::off;
    std::string lxcfs_mount_point = lxcfs::kDefaultMountPoint;
    // --criu: the criu binary for checkpoint and restore ("" = the one `make deps` built, else PATH).
    std::string criu_path;
};

struct CreateOptions {
    std::string id;
    std::string bundle = ".";
    std::string pid_file;
    std::string console_socket;
    bool no_pivot = false;
    bool no_new_keyring = false;
    int preserve_fds = 0;
};

struct RunOptions : CreateOptions {
    bool detach = false;
    bool keep = false;  // do not delete the container after it exits
};

struct ContainerView {
    ContainerState state;
    Status status;
};

void create(const Context& ctx, const CreateOptions& opts);
void start(const Context& ctx, const std::string& id);
// Foreground: returns the process's exit code (128+signal when killed). Detached: 0.
int run(const Context& ctx, const RunOptions& opts);

ContainerView query(const Context& ctx, const std::string& id);
std::vector<ContainerView> list(const Context& ctx);

void kill(const Context& ctx, const std::string& id, int signal, bool all);
void remove(const Context& ctx, const std::string& id, bool force);

struct ExecOptions {
    std::string id;
    oci::Process process;
    std::string pid_file;
    std::string console_socket;
    bool detach = false;
    int preserve_fds = 0;
    // --cgroup: sub-cgroups of the container's to run in (see exec_cgroup.h).
    std::vector<std::string> sub_cgroups;
    // --ignore-paused: a paused container's exec waits, frozen, until it is resumed.
    bool ignore_paused = false;
};
// Foreground: the exit code of the process. Detached: 0 once it has started.
int exec(const Context& ctx, const ExecOptions& opts);
// The process a plain `exec ID ARGS...` starts: the container's process with these args.
oci::Process exec_process_from_config(const Context& ctx, const std::string& id);

// `mogu lxcfs repair`: re-binds the LXCFS views of running (or paused) containers from the LXCFS
// mounted now, after it died or restarted. `ids` empty: every container of ctx.root that has
// views. One result per container; a container without views is reported, not an error.
struct LxcfsRepair {
    std::string id;
    size_t rebound = 0;
    std::string skipped;  // why nothing was done ("no LXCFS views", "stopped")
    std::string error;
};
std::vector<LxcfsRepair> repair_lxcfs(const Context& ctx, const std::vector<std::string>& ids);

// checkpoint and restore through criu (runtime/criu/), with runc's options. What both take:
struct CriuOptions {
    std::string image_path;   // default ./checkpoint, as runc
    std::string work_path;    // criu's logs; default: the image path
    bool tcp_established = false;
    bool ext_unix_sk = false;
    bool shell_job = false;
    bool file_locks = false;
    bool auto_dedup = false;
    std::string manage_cgroups_mode;        // "", soft, full, strict, ignore
    std::vector<std::string> empty_ns;      // namespace names ("network")
    // Parsed but refused for now (it needs criu's lazy-pages daemon):
    bool lazy_pages = false;
    std::string page_server;  // ADDRESS:PORT: checkpoint sends pages there (criu's page server)
    int status_fd = -1;       // as runc: criu writes \0 there once lazy pages are served
};
struct CheckpointOptions : CriuOptions {
    std::string id;
    std::string parent_path;  // previous (pre-)dump, relative to the image path (criu's --prev-images-dir)
    bool leave_running = false;
    bool pre_dump = false;
};
struct RestoreOptions : CriuOptions {
    std::string id;
    std::string bundle = ".";
    std::string pid_file;
    std::string console_socket;
    bool detach = false;
    bool no_subreaper = false;
    bool no_pivot = false;
    std::string cgroups_path;  // in place of the config's linux.cgroupsPath (mogu migrate receive)
};
// Dumps the container into opts.image_path. Without leave_running or pre_dump the container is
// gone afterwards (killed by criu and deleted, as runc does).
void checkpoint(const Context& ctx, const CheckpointOptions& opts);
// Restores opts.id from the images into a new container of the bundle: an ordinary container
// afterwards. Foreground: returns the process's exit code and deletes the container; detached: 0.
int restore(const Context& ctx, const RestoreOptions& opts);

std::vector<pid_t> container_pids(const Context& ctx, const std::string& id);
void pause(const Context& ctx, const std::string& id);
void resume(const Context& ctx, const std::string& id);
void update(const Context& ctx, const std::string& id, const oci::Resources& resources);
// What `events --stats` and `mogu stats` report: the cgroup's numbers, and the container's own
// load average when it has LXCFS's loadavg view.
struct ContainerStats {
    cgroups::Stats cgroup;
    std::optional<lxcfs::LoadAverage> load;
};
ContainerStats stats(const Context& ctx, const std::string& id);
// The same for a container whose state the caller has read and found running (mogu top reads
// every container's state once per refresh): a summary, and the load average only if asked
// (given up after 1 s when LXCFS hangs: the load is then absent).
ContainerStats stats_of(const Context& ctx, const ContainerState& st, cgroups::StatsDetail detail, bool with_load);
// Watches the container's cgroup for OOM kills (nullptr without a memory controller).
std::unique_ptr<cgroups::OomWatcher> watch_oom(const Context& ctx, const std::string& id);

}  // namespace mogu::runtime
