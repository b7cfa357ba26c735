#include "kvm-launcher/host/vm_state.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/vm_detect.h"
#include "runtime/state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace mogu::vm {
namespace {

UniqueFd lock_dir(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "open {}", path);
    while (flock(fd.get(), LOCK_EX) < 0)
        if (errno != EINTR) throw SysError(errno, "lock {}", path);
    return fd;
}

}  // namespace

VmDir VmDir::create(const std::string& root, const std::string& id) {
    runtime::validate_container_id(id);
    mkdir_p(root, 0711);
    std::string path = path_join(root, id);
    if (::mkdir(path.c_str(), 0711) < 0) {
        if (errno == EEXIST) throw Error("container {} already exists", id);
        throw SysError(errno, "create {}", path);
    }
    VmDir d(id, path, UniqueFd(), false);
    d.fd_ = lock_dir(path);
    return d;
}

VmDir VmDir::open(const std::string& root, const std::string& id, bool lock) {
    runtime::validate_container_id(id);
    std::string path = path_join(root, id);
    if (!path_exists(path_join(path, kStateFile))) throw Error("container {} does not exist", id);
    VmDir d(id, path, UniqueFd(), true);
    if (lock) d.fd_ = lock_dir(path);
    if (!path_exists(path_join(path, kStateFile))) throw Error("container {} does not exist", id);  // deleted meanwhile
    return d;
}

bool VmDir::is_vm(const std::string& root, const std::string& id) { return is_vm_container(root, id); }

std::vector<std::string> VmDir::list(const std::string& root) { return list_vm_containers(root); }

VmDir::VmDir(VmDir&& o) noexcept
    : id_(std::move(o.id_)), path_(std::exchange(o.path_, "")), fd_(std::move(o.fd_)), committed_(o.committed_) {}

VmDir& VmDir::operator=(VmDir&& o) noexcept {
    if (this != &o) {
        if (!committed_ && !path_.empty()) remove_tree(path_);
        id_ = std::move(o.id_);
        path_ = std::exchange(o.path_, "");
        fd_ = std::move(o.fd_);
        committed_ = o.committed_;
    }
    return *this;
}

VmDir::~VmDir() {
    if (!committed_ && !path_.empty()) {
        try {
            remove_tree(path_);
        } catch (...) {
        }
    }
}

VmState VmDir::read_state() const {
    std::string f = file(kStateFile);
    return state_from_json(read_file(f), f);
}

void VmDir::write_state(const VmState& s) const { write_file_atomic(file(kStateFile), state_to_json(s), 0600); }

std::optional<VmExit> VmDir::read_exit() const {
    std::string f = file(kExitFile);
    auto text = read_file_if_exists(f);
    if (!text) return std::nullopt;
    return exit_from_json(*text, f);
}

void write_exit(const std::string& dir, const VmExit& e) {
    write_file_atomic(path_join(dir, VmDir::kExitFile), exit_to_json(e), 0600);
}

void VmDir::remove() {
    remove_tree(path_);
    committed_ = true;
}

}  // namespace mogu::vm
