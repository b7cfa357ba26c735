// containerd.task.v2.Task: every method of the shim API over the OCI runtime binary, with the
// container processes as children of this (subreaper) shim. Runs entirely on the event loop.
#pragma once

#include "shim/task/container.h"
#include "shim/task/lxcfs_watch.h"
#include "shim/task/publisher.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/server.h"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace mogu::shim {

class TaskService {
public:
    static constexpr const char* kService = "containerd.task.v2.Task";

    // on_shutdown is called (once) when the shim should exit.
    TaskService(ttrpc::EventLoop& loop, Publisher& events, std::string ns, std::function<void()> on_shutdown);
    ~TaskService();

    void register_methods(ttrpc::Server& server);
    // Collects every exited child (SIGCHLD): container processes get their exit recorded and
    // published; others (orphans reparented to us) are just reaped.
    void reap();
    bool empty() const { return containers_.empty(); }

private:
    void state(const ttrpc::CallPtr& call);
    void create(const ttrpc::CallPtr& call);
    void start(const ttrpc::CallPtr& call);
    void remove(const ttrpc::CallPtr& call);
    void pids(const ttrpc::CallPtr& call);
    void pause(const ttrpc::CallPtr& call);
    void resume(const ttrpc::CallPtr& call);
    void checkpoint(const ttrpc::CallPtr& call);
    void kill(const ttrpc::CallPtr& call);
    void exec(const ttrpc::CallPtr& call);
    void resize_pty(const ttrpc::CallPtr& call);
    void close_io(const ttrpc::CallPtr& call);
    void update(const ttrpc::CallPtr& call);
    void wait(const ttrpc::CallPtr& call);
    void stats(const ttrpc::CallPtr& call);
    void connect(const ttrpc::CallPtr& call);
    void shutdown(const ttrpc::CallPtr& call);

    Container& container(const std::string& id);
    Process& process(Container& c, const std::string& exec_id);
    void process_exited(Container& c, Process& p, int wait_status);
    // Answers the process's Wait calls with its exit, once it has stopped.
    void answer_waiters(Process& p);
    void publish_guest_oom(Container& c);
    void start_process(Container& c, Process& p);
    // After the init exists (created or restored): stats, OOM events, LXCFS watch.
    void watch_init(Container& c);
    // Start of a container created from a checkpoint (task_checkpoint.cpp).
    void restore_init(Container& c);
    void repair_lxcfs_views(const std::string& mount_point);

    ttrpc::EventLoop& loop_;
    Publisher& events_;
    std::string ns_;
    std::function<void()> on_shutdown_;
    std::map<std::string, std::unique_ptr<Container>> containers_;
    LxcfsWatch lxcfs_watch_;
};

}  // namespace mogu::shim
