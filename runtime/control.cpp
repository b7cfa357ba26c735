// kill, delete, pause, resume, update, ps, stats: the verbs that act on an existing container.
#include "common/error.h"
#include "common/failpoint.h"
#include "common/log.h"
#include "runtime/container_cgroup.h"
#include "runtime/create.h"
#include "runtime/hooks.h"
#include "runtime/interrupted_create.h"
#include "runtime/linux/namespaces.h"
#include "runtime/process_signal.h"
#include "runtime/runtime.h"
#include "runtime/status.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

namespace mogu::runtime {
namespace {

std::unique_ptr<cgroups::Cgroup> require_cgroup(const Context& ctx, const ContainerState& st) {
    auto cg = open_container_cgroup(ctx, st);
    if (!cg) throw Error("container {} has no cgroup", st.id);
    return cg;
}

// Kills whatever is left in the cgroup and waits (briefly) for it to empty.
void kill_remaining(cgroups::Cgroup& cg) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto pids = cg.pids();
        if (pids.empty()) return;
        signal_all(cg, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(attempt < 10 ? 2 : 20));
    }
}

}  // namespace

void kill(const Context& ctx, const std::string& id, int signal, bool all) {
    ContainerDir dir = ContainerDir::open(ctx.root, id);
    ContainerState st = dir.read_state();
    Status status = current_status(ctx, dir, st);
    if (all) {
        auto cg = open_container_cgroup(ctx, st);
        if (cg) {
            signal_all(*cg, signal);
            return;
        }
    }
    if (status == Status::stopped || !signal_process(st.pid, st.start_time, signal)) throw Error("container not running");
}

void remove(const Context& ctx, const std::string& id, bool force) {
    std::optional<ContainerDir> dir;
    try {
        dir.emplace(ContainerDir::open(ctx.root, id));
    } catch (const Error&) {
        if (!force) throw;
        // With --force, an id that is gone (or a directory left by a create that died) is not an error.
        remove_interrupted_create(ctx, id);
        return;
    }
    failpoint("delete.open");
    ContainerState st = dir->read_state();
    Status status = current_status(ctx, *dir, st);
    if ((status == Status::running || status == Status::paused) && !force)
        throw Error("cannot delete container {} that is not stopped: {}", id, status_name(status));

    std::optional<oci::Spec> spec;
    try {
        spec = load_saved_spec(*dir);
    } catch (const std::exception& e) {
        log::warn("container {}: its saved config cannot be read ({}): deleting without it", id, e.what());
    }
    // With a pid namespace of its own, the container's processes are exactly that namespace's:
    // they die with its init. Anything else in the cgroup (a cgroupsPath shared with another
    // container, a process somebody put there) is not ours to kill, as with runc.
    bool own_pid_ns = spec && spec->linux && spec_creates_namespace(*spec->linux, oci::NamespaceType::pid);
    auto cg = open_container_cgroup(ctx, st);
    if (status != Status::stopped) {
        if (cg && !own_pid_ns) {
            signal_all(*cg, SIGKILL);
        } else {
            signal_process(st.pid, st.start_time, SIGKILL);
            // A frozen init dies only once thawed.
            if (cg && status == Status::paused) cg->freeze(cgroups::FreezerState::thawed);
        }
        if (!wait_for_exit(st.pid, st.start_time, 10000)) throw Error("container {}: init {} did not exit after SIGKILL", id, st.pid);
    }
    failpoint("delete.killed");
    if (cg) {
        if (!own_pid_ns) kill_remaining(*cg);
        if (auto others = cg->pids(); !others.empty())
            log::warn("container {}: its cgroup {} still holds {} process(es) of others: left in place", id, cg->path().path, others.size());
        else
            cg->destroy();
    }
    failpoint("delete.cgroup");
    // Every poststop hook runs; failures are warnings and the container is deleted anyway.
    if (spec && !spec->hooks.poststop.empty())
        run_hooks_warning_on_failure(spec->hooks.poststop, "poststop", hook_state_json(st.oci_version, id, "stopped", 0, st.bundle, st.annotations));
    failpoint("delete.state-dir");
    dir->remove();
}

void pause(const Context& ctx, const std::string& id) {
    ContainerDir dir = ContainerDir::open(ctx.root, id);
    ContainerState st = dir.read_state();
    Status s = current_status(ctx, dir, st);
    if (s != Status::running && s != Status::created) throw Error("container not running");
    require_cgroup(ctx, st)->freeze(cgroups::FreezerState::frozen);
}

void resume(const Context& ctx, const std::string& id) {
    ContainerDir dir = ContainerDir::open(ctx.root, id);
    ContainerState st = dir.read_state();
    if (current_status(ctx, dir, st) != Status::paused) throw Error("container not paused");
    require_cgroup(ctx, st)->freeze(cgroups::FreezerState::thawed);
}

void update(const Context& ctx, const std::string& id, const oci::Resources& resources) {
    ContainerDir dir = ContainerDir::open(ctx.root, id);
    ContainerState st = dir.read_state();
    if (current_status(ctx, dir, st) == Status::stopped) throw Error("container not running");
    require_cgroup(ctx, st)->apply(resources);
}

std::vector<pid_t> container_pids(const Context& ctx, const std::string& id) {
    ContainerDir dir = ContainerDir::open_unlocked(ctx.root, id);
    ContainerState st = dir.read_state();
    auto cg = open_container_cgroup(ctx, st);
    if (!cg) return {};
    return cg->pids();
}

ContainerStats stats(const Context& ctx, const std::string& id) {
    ContainerDir dir = ContainerDir::open_unlocked(ctx.root, id);
    ContainerState st = dir.read_state();
    if (current_status(ctx, dir, st) == Status::stopped) throw Error("container not running");
    return stats_of(ctx, st, cgroups::StatsDetail::full, true);
}

ContainerStats stats_of(const Context& ctx, const ContainerState& st, cgroups::StatsDetail detail, bool with_load) {
    ContainerStats out;
    out.cgroup = require_cgroup(ctx, st)->stats(detail);
    bool has_loadavg = std::find(st.lxcfs_files.begin(), st.lxcfs_files.end(), "proc/loadavg") != st.lxcfs_files.end();
    // A hung LXCFS costs a caller at most this much per container, never its whole run.
    constexpr int kLoadTimeoutMs = 1000;
    if (with_load && has_loadavg) out.load = lxcfs::read_load_average(st.pid, st.lxcfs_mount_point, kLoadTimeoutMs);
    return out;
}

std::unique_ptr<cgroups::OomWatcher> watch_oom(const Context& ctx, const std::string& id) {
    ContainerDir dir = ContainerDir::open_unlocked(ctx.root, id);
    auto cg = open_container_cgroup(ctx, dir.read_state());
    if (!cg) return nullptr;
    try {
        return cg->watch_oom();
    } catch (const Error& e) {
        log::debug("container {}: no OOM notifications: {}", id, e.what());
        return nullptr;
    }
}

}  // namespace mogu::runtime
