// A VM container's state under --root: <root>/<id>/ holds vm.json (what `state` reports and
// what `delete` must undo), the keeper's socket, the guest console log and QEMU's log. The
// directory is flock()ed by every verb that changes the container.
#pragma once

#include "common/fd.h"
#include "common/vm_detect.h"
#include "common/vm_state_record.h"

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mogu::vm {

class VmDir {
public:
    static constexpr const char* kStateFile = kVmStateFile;
    static constexpr const char* kExitFile = kVmExitFile;
    static constexpr const char* kSocket = "keeper.sock";
    static constexpr const char* kConsoleLog = "console.log";
    static constexpr const char* kQemuLog = "qemu.log";

    // Makes <root>/<id> and locks it; "container <id> already exists" when taken. Until
    // commit(), the destructor removes the directory.
    static VmDir create(const std::string& root, const std::string& id);
    // Opens an existing VM container; "container <id> does not exist" otherwise.
    static VmDir open(const std::string& root, const std::string& id, bool lock = true);
    // True when <root>/<id> is a VM container (has vm.json): how the runtime's dispatch tells.
    static bool is_vm(const std::string& root, const std::string& id);
    static std::vector<std::string> list(const std::string& root);

    VmDir(VmDir&&) noexcept;
    VmDir& operator=(VmDir&&) noexcept;
    ~VmDir();

    const std::string& path() const { return path_; }
    const std::string& id() const { return id_; }
    std::string file(const char* name) const { return path_ + "/" + name; }
    VmState read_state() const;
    void write_state(const VmState& s) const;
    std::optional<VmExit> read_exit() const;
    void commit() { committed_ = true; }
    // Closes the lock fd without unlocking for others who share it: for a forked keeper, which
    // must not hold the parent's lock (flock belongs to the open file, not the process).
    void forget_lock() { fd_.reset(); committed_ = true; }
    void remove();

private:
    VmDir(std::string id, std::string path, UniqueFd fd, bool committed)
        : id_(std::move(id)), path_(std::move(path)), fd_(std::move(fd)), committed_(committed) {}
    std::string id_, path_;
    UniqueFd fd_;
    bool committed_ = true;
};

void write_exit(const std::string& dir, const VmExit& e);

}  // namespace mogu::vm
