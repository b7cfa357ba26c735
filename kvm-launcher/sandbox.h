// mogu-vm as a library: the verbs of an OCI runtime for containers that run in a micro-VM.
// The mogu-vm CLI (cli/) only parses flags into these calls; the mogu runtime dispatches here
// for bundles annotated io.mogu.isolation=vm. State lives under ctx.root like runc's.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mogu::vm {

struct Context {
    std::string root = "/run/mogu-vm";
};

struct CreateOptions {
    std::string id;
    std::string bundle = ".";
    std::string pid_file;
    std::string console_socket;
};

// Boots the VM, creates the container in it (its process waits for start) and returns. The pid
// written to pid_file is the keeper's: it exits with the container's exit code.
void create(const Context& ctx, const CreateOptions& opts);
void start(const Context& ctx, const std::string& id);

struct ContainerInfo {
    std::string id;
    pid_t pid = 0;              // the keeper; 0 once stopped
    std::string status;         // created, running, paused, stopped
    std::string bundle;
    std::string rootfs;
    std::string created;
    std::map<std::string, std::string> annotations;  // the spec's, plus io.mogu.vm.* facts
    std::optional<int> exit_code;
    std::string error;          // why the VM ended without the process's exit status
};
ContainerInfo query(const Context& ctx, const std::string& id);
std::vector<ContainerInfo> list(const Context& ctx);
// runc's `state` JSON for one container.
std::string state_json(const ContainerInfo& c);

void kill(const Context& ctx, const std::string& id, int signal, bool all);
// Stops the VM if it runs (only with force, unless it was never started) and removes every
// trace: keeper, QEMU, disk image, state directory.
void remove(const Context& ctx, const std::string& id, bool force);

struct ExecOptions {
    std::string id;
    std::string process_json;   // an OCI process object
    std::string pid_file;
    std::string console_socket;
    bool detach = false;
};
// Foreground: the process's exit code. Detached: 0 once it started; the pid in pid_file is a
// host process that copies its stdio and exits with its exit code.
int exec(const Context& ctx, const ExecOptions& opts);

// create + start, then (unless detach) wait and delete: the process's exit code.
int run(const Context& ctx, const CreateOptions& opts, bool detach);

std::vector<pid_t> pids(const Context& ctx, const std::string& id);
void pause(const Context& ctx, const std::string& id);
void resume(const Context& ctx, const std::string& id);
void update(const Context& ctx, const std::string& id, const std::string& resources_json);
// runc's `events --stats` record of the container as the guest sees it: its cgroup there (what
// its processes use), not the VM's cost to the host (the keeper's host cgroup).
std::string stats_json(const Context& ctx, const std::string& id);

// Whether an id or a bundle is a VM's: common/vm_detect.h.

}  // namespace mogu::vm
