#include "runtime/interrupted_create.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "runtime/container_cgroup.h"
#include "runtime/process_signal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

namespace mogu::runtime {
namespace {

constexpr const char* kRecord = "creating.json";

}  // namespace

void record_creating(const ContainerDir& dir, const ContainerState& partial) {
    write_file_atomic(dir.file(kRecord), state_to_json(partial), 0600);
}

void forget_creating(const ContainerDir& dir) { ::unlink(dir.file(kRecord).c_str()); }

void remove_interrupted_create(const Context& ctx, const std::string& id) {
    validate_container_id(id);
    std::string path = ctx.root + "/" + id;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return;
    // A create still running holds the lock; a finished one has written state.json.
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0 || path_exists(path + "/state.json")) return;
    std::string record = path + "/" + kRecord;
    if (auto text = read_file_if_exists(record)) {
        ContainerState st = state_from_json(*text, record);
        // Before start the init has run nothing of the container's: it is the only process to kill.
        if (st.pid > 0 && signal_process(st.pid, st.start_time, SIGKILL) && !wait_for_exit(st.pid, st.start_time, 10000))
            throw Error("container {}: init {} of an interrupted create did not exit after SIGKILL", id, st.pid);
        if (auto cg = open_container_cgroup(ctx, st)) {
            if (auto others = cg->pids(); !others.empty())
                log::warn("container {}: its cgroup {} still holds {} process(es) of others: left in place", id, cg->path().path, others.size());
            else
                cg->destroy();
        }
        log::debug("container {}: removed what an interrupted create left (init {}, cgroup {})", id, st.pid, st.cgroup_path);
    }
    remove_tree(path);
}

}  // namespace mogu::runtime
