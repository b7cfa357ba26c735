// create, start, run: the verbs that bring a container up.
#include "common/error.h"
#include "common/log.h"
#include "runtime/create.h"
#include "runtime/runtime.h"
#include "runtime/signal_forwarder.h"
#include "runtime/status.h"
#include "runtime/tty_proxy.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mogu::runtime {

void create(const Context& ctx, const CreateOptions& opts) {
    PreparedContainer c = create_container(ctx, opts);
    c.commit();
}

void start(const Context& ctx, const std::string& id) {
    ContainerDir dir = ContainerDir::open(ctx.root, id);
    ContainerState st = dir.read_state();
    switch (current_status(ctx, dir, st)) {
        case Status::created: break;
        case Status::stopped: throw Error("cannot start a container that has stopped");
        default: throw Error("cannot start an already running container");
    }
    start_container(ctx, dir, st, load_saved_spec(dir));
}

int run(const Context& ctx, const RunOptions& opts) {
    if (opts.detach) {
        PreparedContainer c = create_container(ctx, opts);
        start_container(ctx, c.dir, c.state, c.spec);
        c.commit();
        return 0;
    }
    // Foreground: signals are forwarded from before the process exists until it exits.
    SignalForwarder forwarder;
    std::optional<TtyProxy> tty;
    UniqueFd ours, theirs;
    if (opts.console_socket.empty()) {
        int sv[2];
        check(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair for the terminal");
        ours.reset(sv[0]);
        theirs.reset(sv[1]);
    }
    PreparedContainer c = create_container(ctx, opts, theirs.get());
    theirs.reset();
    if (c.spec.process->terminal && opts.console_socket.empty()) tty.emplace(ours.get());
    start_container(ctx, c.dir, c.state, c.spec);
    pid_t pid = c.init.release();
    if (c.cgroup) c.cgroup->release();
    c.dir.commit();
    std::string id = c.state.id;
    c.dir = ContainerDir::open_unlocked(ctx.root, id);  // drop the lock while the container runs

    int status;
    if (tty) status = tty->proxy_until_exit(forwarder, pid);
    else status = forwarder.forward_until_exit(pid);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (!opts.keep) {
        try {
            remove(ctx, id, true);
        } catch (const std::exception& e) {
            log::warn("delete container {} after it exited: {}", id, e.what());
        }
    }
    return code;
}

}  // namespace mogu::runtime
