// The one container of this VM, run through the runtime library inside the guest: namespaces,
// cgroups (cgroup2 of the guest), rlimits, user and capabilities as the spec says, with the
// rootfs the host exported. Its processes' stdio are pipes (or a pty) the agent serves over ttrpc.
#pragma once

#include "kvm-launcher/proto/agent.pb.h"
#include "kvm-launcher/agent/streams.h"
#include "runtime/runtime.h"
#include "ttrpc/event_loop.h"
#include "ttrpc/server.h"

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mogu::vm::agent {

// Where the agent keeps the container's files in the guest.
inline constexpr const char* kAgentDir = "/run/mogu-agent";

struct GuestProcess {
    std::string exec_id;
    pid_t pid = 0;
    bool terminal = false;
    std::unique_ptr<OutputStream> out, err;
    std::unique_ptr<InputStream> in;
    UniqueFd pty;  // the master, for resizes
    std::optional<int> exit_code;
    std::vector<ttrpc::CallPtr> waiters;
    bool wait_answered = false;
};

class Container {
public:
    Container(ttrpc::EventLoop& loop, const v1::CreateContainerRequest& req);
    ~Container();

    const std::string& id() const { return id_; }
    void start();
    void exec(const std::string& exec_id, const std::string& process_json);
    void signal(const std::string& exec_id, int sig, bool all);
    void wait(const std::string& exec_id, const ttrpc::CallPtr& call);
    void read(const std::string& exec_id, uint32_t stream, const ttrpc::CallPtr& call);
    void write_stdin(const std::string& exec_id, const ttrpc::CallPtr& call, std::string data);
    void close_stdin(const std::string& exec_id);
    void resize(const std::string& exec_id, uint32_t width, uint32_t height);
    v1::StateResponse state() const;
    std::vector<pid_t> pids() const;
    void pause();
    void resume();
    void update(const std::string& resources_json);

    // The reaper's report of any child that exited.
    void child_exited(pid_t pid, int wait_status);
    // Called once the init has exited and its exit status and output have all reached the host.
    std::function<void()> on_finished;

private:
    GuestProcess& process(const std::string& exec_id);
    // Pipes or a pty for a new process; returns the fds the runtime's child gets.
    struct Stdio;
    std::unique_ptr<GuestProcess> spawn(const std::string& exec_id, bool terminal, const std::string& what,
                                        const std::function<void(const std::string& pid_file, const std::string& console)>& fn);
    void record_exit(GuestProcess& p, int wait_status);
    void check_finished();

    ttrpc::EventLoop& loop_;
    std::string id_;
    runtime::Context ctx_;
    std::string rootfs_;
    bool started_ = false, paused_ = false, finished_ = false;
    std::map<std::string, std::unique_ptr<GuestProcess>> procs_;
    std::map<pid_t, int> early_exits_;  // reaped before we knew the pid (it exited during create/exec)
    int next_seq_ = 0;
};

}  // namespace mogu::vm::agent
