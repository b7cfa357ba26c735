// What the shim knows about one container and its processes (the init and any execs).
#pragma once

#include "shim/task/container_cgroup.h"
#include "shim/task/process_io.h"
#include "shim/task/rootfs.h"
#include "shim/task/runtime_cli.h"
#include "shim/task/wire_values.h"
#include "ttrpc/server.h"

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mogu::shim {

enum class ProcessState { created, running, stopped };

struct Process {
    std::string exec_id;  // empty for the container's init
    pid_t pid = 0;
    ProcessState state = ProcessState::created;
    uint32_t exit_status = 0;
    Timestamp exited_at;
    StdioPaths stdio;
    std::unique_ptr<ProcessIo> io;
    std::string spec_json;                // an exec's process spec, until it starts
    std::vector<ttrpc::CallPtr> waiters;  // Wait calls answered at exit
};

struct Container {
    Container(std::string id_, std::string bundle_, RuntimeCli runtime_)
        : id(std::move(id_)), bundle(std::move(bundle_)), runtime(std::move(runtime_)) {}

    std::string id, bundle;
    RuntimeCli runtime;
    Process init;
    std::map<std::string, std::unique_ptr<Process>> execs;
    bool paused = false;
    bool own_pid_namespace = true;  // false: the init's exit does not end the other processes
    bool rootfs_mounted = false;
    // Whether the runtime has state for it: not yet when it is created from a checkpoint (the
    // restore runs at Start), no more after a checkpoint that let it exit.
    bool in_runtime = true;
    std::string restore_images;  // created from this checkpoint directory: Start restores it
    std::string lxcfs_mount_point;  // where its LXCFS views come from; empty: it has none
    std::unique_ptr<ContainerCgroup> cgroup;  // stats and OOM events; null if it could not be opened
};

}  // namespace mogu::shim
