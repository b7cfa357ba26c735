// The OCI runtime binary, called with the command lines containerd's runc shim uses (go-runc):
// global --root --log --log-format json [--systemd-cgroup], then the verb. A failure carries the
// runtime's last error message from its JSON log, as containerd shows it to the user.
#pragma once

#include "runtime/runtime.h"
#include "shim/task/runtime_options.h"

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace mogu::shim {

// The fds a runtime child gets as 0, 1, 2 (-1: /dev/null). Not owned.
struct ChildStdio {
    int in = -1, out = -1, err = -1;
};

class RuntimeCli {
public:
    RuntimeCli(RuntimeOptions opts, std::string log_path) : opts_(std::move(opts)), log_(std::move(log_path)) {}

    void create(const std::string& id, const std::string& bundle, const std::string& pid_file,
                const std::string& console_socket, ChildStdio stdio);
    void start(const std::string& id);
    void exec(const std::string& id, const std::string& process_file, const std::string& pid_file,
              const std::string& console_socket, ChildStdio stdio);
    // `checkpoint ARGS... ID` (checkpoint_options.h makes the flags).
    void checkpoint(const std::string& id, const std::vector<std::string>& args);
    // `restore --detach --no-subreaper --image-path ...`: the restored init becomes this shim's
    // child (its subreaper) once the runtime exits, as a created one does.
    void restore(const std::string& id, const std::string& bundle, const std::string& images, const std::string& work,
                 const std::string& pid_file, const std::string& console_socket, ChildStdio stdio);
    void kill(const std::string& id, int signal, bool all);
    void remove(const std::string& id, bool force);
    void pause(const std::string& id);
    void resume(const std::string& id);
    // `lxcfs repair ID`: re-binds the container's LXCFS views; returns what the runtime printed.
    std::string lxcfs_repair(const std::string& id);
    void update(const std::string& id, const std::string& resources_json);
    std::vector<pid_t> ps(const std::string& id);
    // `events --stats ID`: runc's stats record (mogu-vm: the container's cgroup in its guest).
    runtime::ContainerStats stats(const std::string& id);
    // `state ID`'s annotations (mogu-vm reports facts of a VM container there).
    std::map<std::string, std::string> state_annotations(const std::string& id);

    const RuntimeOptions& options() const { return opts_; }

private:
    // Runs the binary; returns its stdout when capture is set. Non-zero exit throws.
    std::string run(const char* verb, const std::vector<std::string>& args, ChildStdio stdio,
                    const std::string* stdin_data = nullptr, bool capture = false);
    std::string last_error() const;

    RuntimeOptions opts_;
    std::string log_;
};

// Reads a pid file the runtime wrote; errors name the file.
pid_t read_pid_file(const std::string& path);

}  // namespace mogu::shim
