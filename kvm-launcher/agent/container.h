// A container of this VM (its one container, or one of its pod's), run through the runtime
// library inside the guest: namespaces, cgroups (cgroup2 of the guest), rlimits, user and
// capabilities as the spec says, with the rootfs the host exported. Its processes' stdio are
// pipes (or a pty) the agent serves over ttrpc. Its files are under <kAgentDir>/<id>/.
#pragma once

#include "common/kmsg_record.h"
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

// Where the agent keeps its containers' files in the guest.
inline constexpr const char* kAgentDir = "/run/mogu-agent";

// What the containers of one VM share: the pod's 9p share and /dev/shm (mounted on first use),
// and exits the reaper saw before anyone knew the pid (a process that exited during create/exec).
struct VmShared {
    bool pod_share_mounted = false;
    bool shm_mounted = false;
    std::map<pid_t, int> early_exits;
    void early_exit(pid_t pid, int wait_status);
    std::string pod_share();   // the guest directory of the host's share (tag "pod")
    std::string shm();         // the pod's /dev/shm
};


struct GuestProcess {
    std::string exec_id;
    pid_t pid = 0;
    bool terminal = false;
    std::unique_ptr<OutputStream> out, err;
    std::unique_ptr<InputStream> in;
    UniqueFd pty;  // the master, for resizes
    std::optional<int> exit_code;
    bool oom_killed = false;  // the init's: its container's cgroup saw an OOM kill
    std::optional<OomKillSummary> oom_kill;  // then: the last kill the kernel logged there
    std::vector<ttrpc::CallPtr> waiters;
    bool wait_answered = false;
};

class Container {
public:
    // namespace_pid: for a pod's container, its sandbox's init (whose namespaces it joins), else 0.
    Container(ttrpc::EventLoop& loop, VmShared& shared, const v1::CreateContainerRequest& req, pid_t namespace_pid);
    ~Container();
    Container(const Container&) = delete;
    Container& operator=(const Container&) = delete;

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
    // Its cgroup's numbers in the guest, as runc's events --stats record.
    std::string stats_json() const;

    // Kills what runs (SIGKILL), deletes the container from the guest's runtime, unmounts its
    // rootfs and removes its files. Its waiters get the exit status first.
    void destroy();
    pid_t init_pid() const;
    bool init_exited() const;

    // The reaper's report of a child that exited: false when it is none of this container's.
    bool child_exited(pid_t pid, int wait_status);
    // Called once the init has exited and its exit status and output have all reached the host.
    std::function<void()> on_finished;

private:
    GuestProcess& process(const std::string& exec_id);
    // Pipes or a pty for a new process; returns the fds the runtime's child gets.
    struct Stdio;
    std::unique_ptr<GuestProcess> spawn(const std::string& exec_id, bool terminal, const std::string& what,
                                        const std::function<void(const std::string& pid_file, const std::string& console)>& fn);
    void record_exit(GuestProcess& p, int wait_status);
    static v1::WaitResponse wait_response(const GuestProcess& p);
    void check_finished();

    std::string path(const std::string& name) const;

    ttrpc::EventLoop& loop_;
    VmShared& shared_;
    std::string id_;
    runtime::Context ctx_;
    std::string dir_, rootfs_;
    bool started_ = false, paused_ = false, finished_ = false;
    std::map<std::string, std::unique_ptr<GuestProcess>> procs_;
    int next_seq_ = 0;
};

}  // namespace mogu::vm::agent
