// One `criu swrk` service process, spoken to as runc and crun do: a SOCK_SEQPACKET socketpair,
// criu started with its end's number, one serialized criu_req per packet, criu_resp back, and
// notifications ("pre-dump", "post-restore", ...) answered in between. Owning: the destructor
// kills and reaps a criu that is still running.
#pragma once

#include "common/fd.h"
#include "rpc.pb.h"

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace mogu::runtime::criu {

namespace rpc = mogu::criu_rpc;

// A notification from criu: the script name ("post-dump", "setup-namespaces", "orphan-pts-master"),
// the pid criu names (the restored init for post-restore), and an fd criu sent with it (the new pty
// master for orphan-pts-master), or none. Throwing from the handler answers criu with a failure.
struct Notification {
    std::string script;
    pid_t pid = 0;
    UniqueFd fd;
};
using NotifyHandler = std::function<void(Notification&)>;

class Swrk {
public:
    // Starts `criu swrk <fd>`. `keep_fds` stay open (same numbers) in criu: the images and work
    // directories and inherited fds that the request names. criu's stdio is ours, unless
    // `stdio` names three fds to give it (restore: the container's stdio to be inherited).
    Swrk(const std::string& criu_path, const std::vector<int>& keep_fds, const int* stdio = nullptr);
    Swrk(const Swrk&) = delete;
    Swrk& operator=(const Swrk&) = delete;
    ~Swrk();

    pid_t pid() const { return pid_; }
    // Sends the request and returns criu's final answer (success or not: the caller reads
    // cr_errmsg). Notifications go to `on_notify` (nullptr: each is acknowledged as a success).
    rpc::criu_resp call(const rpc::criu_req& request, const NotifyHandler& on_notify = nullptr);
    // Closes the socket and waits for criu to exit; returns its wait status.
    int finish();

private:
    void send(const rpc::criu_req& request);
    rpc::criu_resp receive(UniqueFd* fd);
    UniqueFd sock_;
    pid_t pid_ = -1;
};

// The criu at `criu_path`'s version as major*10000 + minor*100 + sublevel (4.1.1 -> 40101), asked over RPC.
int version_of(const std::string& criu_path);

// "dump", "restore", ...: the request type in criu's log words.
const char* request_name(rpc::criu_req_type t);

}  // namespace mogu::runtime::criu
