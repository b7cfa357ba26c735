// Container state under --root: one directory per container (<root>/<id>) holding state.json,
// a copy of config.json and, until `start`, the exec FIFO. The directory itself is flock()ed by
// every verb that changes the container, so concurrent verbs on one id run one at a time.
#pragma once

#include "common/fd.h"

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mogu::runtime {

enum class Status { creating, created, running, paused, stopped };
const char* status_name(Status s);

struct ContainerState {
    std::string oci_version;
    std::string id;
    pid_t pid = 0;
    uint64_t start_time = 0;  // of pid, from /proc/<pid>/stat: a reused pid is never mistaken for ours
    std::string bundle;
    std::string rootfs;
    std::string created;      // RFC 3339 with nanoseconds, UTC
    std::string owner;
    std::map<std::string, std::string> annotations;
    std::string cgroup_path;  // resolved, relative to each hierarchy's root
    bool systemd_cgroup = false;
    // The LXCFS views bound at create (lxcfs::Views): where LXCFS was, and which files. Empty
    // when the container has none.
    std::string lxcfs_mount_point;
    std::vector<std::string> lxcfs_files;
};

std::string state_to_json(const ContainerState& s);
ContainerState state_from_json(const std::string& text, const std::string& source);

// Throws Error naming the id when it is not a valid container id (letters, digits, "_+-.", not "." or "..").
void validate_container_id(const std::string& id);

class ContainerDir {
public:
    // Makes <root>/<id> and locks it. An id in use fails with "container <id> already exists";
    // a directory left by a create that died half-way (no state.json, not locked) is reclaimed.
    // Until commit(), the destructor removes the directory.
    static ContainerDir create(const std::string& root, const std::string& id);
    // Opens and locks an existing container; "container <id> does not exist" otherwise.
    static ContainerDir open(const std::string& root, const std::string& id);
    // Opens without locking, for readers (state, list, ps).
    static ContainerDir open_unlocked(const std::string& root, const std::string& id);

    ContainerDir(ContainerDir&&) noexcept;
    ContainerDir& operator=(ContainerDir&&) noexcept;
    ~ContainerDir();

    const std::string& id() const { return id_; }
    const std::string& path() const { return path_; }
    std::string file(const char* name) const { return path_ + "/" + name; }
    std::string exec_fifo() const { return file("exec.fifo"); }
    std::string config_copy() const { return file("config.json"); }

    bool has_state() const;
    ContainerState read_state() const;
    void write_state(const ContainerState& s) const;

    void commit() { committed_ = true; }
    // Removes the directory and everything in it (the container is gone).
    void remove();

private:
    ContainerDir(std::string id, std::string path, UniqueFd fd) : id_(std::move(id)), path_(std::move(path)), fd_(std::move(fd)) {}
    std::string id_;
    std::string path_;
    UniqueFd fd_;
    bool committed_ = true;
};

// Ids of every container under root, sorted.
std::vector<std::string> list_container_ids(const std::string& root);

}  // namespace mogu::runtime
