#include "runtime/state.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace mogu::runtime {

const char* status_name(Status s) {
    switch (s) {
        case Status::creating: return "creating";
        case Status::created: return "created";
        case Status::running: return "running";
        case Status::paused: return "paused";
        case Status::stopped: return "stopped";
    }
    return "unknown";
}

std::string state_to_json(const ContainerState& s) {
    JsonWriter w(true);
    w.begin_object()
        .kv("ociVersion", s.oci_version)
        .kv("id", s.id)
        .kv("pid", static_cast<long>(s.pid))
        .kv("startTime", static_cast<unsigned long>(s.start_time))
        .kv("bundle", s.bundle)
        .kv("rootfs", s.rootfs)
        .kv("created", s.created)
        .kv("owner", s.owner)
        .kv("cgroupPath", s.cgroup_path)
        .kv("systemdCgroup", s.systemd_cgroup);
    if (!s.lxcfs_files.empty()) {
        w.key("lxcfs").begin_object().kv("mountPoint", s.lxcfs_mount_point);
        w.key("files").string_array(s.lxcfs_files);
        w.end_object();
    }
    w.key("annotations").begin_object();
    for (const auto& [k, v] : s.annotations) w.kv(k, v);
    w.end_object().end_object();
    return w.str() + "\n";
}

ContainerState state_from_json(const std::string& text, const std::string& source) {
    auto doc = JsonDoc::parse(text, source);
    auto r = doc.root();
    ContainerState s;
    try {
        s.oci_version = r.string_or("ociVersion", "");
        s.id = r.string_or("id", "");
        if (auto v = r.get("pid")) s.pid = static_cast<pid_t>(v->as_int());
        if (auto v = r.get("startTime")) s.start_time = v->as_uint();
        s.bundle = r.string_or("bundle", "");
        s.rootfs = r.string_or("rootfs", "");
        s.created = r.string_or("created", "");
        s.owner = r.string_or("owner", "");
        s.cgroup_path = r.string_or("cgroupPath", "");
        if (auto v = r.get("systemdCgroup")) s.systemd_cgroup = v->as_bool();
        if (auto l = r.get("lxcfs")) {
            s.lxcfs_mount_point = l->string_or("mountPoint", "");
            s.lxcfs_files = l->string_array("files");
        }
        if (auto a = r.get("annotations"))
            a->for_each_member([&](std::string_view k, const Json& v) { s.annotations.emplace(k, v.as_string()); });
    } catch (const SpecError& e) {
        throw Error("{}: corrupt state: {}", source, e.what());
    }
    return s;
}

void validate_container_id(const std::string& id) {
    if (id.empty()) throw UsageError("container id cannot be empty");
    if (id == "." || id == "..") throw Error("invalid container id \"{}\"", id);
    if (id.size() > 1024) throw Error("invalid container id: longer than 1024 characters");
    for (unsigned char c : id)
        if (!(isalnum(c) || c == '_' || c == '+' || c == '-' || c == '.'))
            throw Error("invalid container id \"{}\": only letters, digits and _+-. are allowed", id);
}

namespace {

UniqueFd open_dir(const std::string& path) { return UniqueFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); }

void lock_dir(int fd, const std::string& path) {
    while (::flock(fd, LOCK_EX) < 0)
        if (errno != EINTR) throw SysError(errno, "lock {}", path);
}

// After taking the lock, the directory may have been removed by the holder we waited for.
bool removed_while_waiting(int fd) {
    struct stat st;
    return ::fstat(fd, &st) == 0 && st.st_nlink == 0;
}

void ensure_root(const std::string& root) {
    mkdir_p(root, 0711);
}

}  // namespace

ContainerDir ContainerDir::create(const std::string& root, const std::string& id) {
    validate_container_id(id);
    ensure_root(root);
    std::string path = root + "/" + id;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (::mkdir(path.c_str(), 0711) == 0) {
            UniqueFd fd = open_dir(path);
            if (!fd) throw SysError(errno, "open {}", path);
            lock_dir(fd.get(), path);
            ContainerDir d(id, path, std::move(fd));
            d.committed_ = false;
            return d;
        }
        if (errno != EEXIST) throw SysError(errno, "create state directory {}", path);
        // Reclaim the directory of a create that died before writing its state.
        UniqueFd fd = open_dir(path);
        if (fd && ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0 && !path_exists(path + "/state.json") &&
            !removed_while_waiting(fd.get())) {
            remove_tree(path);
            continue;
        }
        break;
    }
    throw Error("container {} already exists", id);
}

ContainerDir ContainerDir::open(const std::string& root, const std::string& id) {
    validate_container_id(id);
    std::string path = root + "/" + id;
    UniqueFd fd = open_dir(path);
    if (!fd) {
        if (errno == ENOENT) throw Error("container {} does not exist", id);
        throw SysError(errno, "open {}", path);
    }
    lock_dir(fd.get(), path);
    if (removed_while_waiting(fd.get())) throw Error("container {} does not exist", id);
    ContainerDir d(id, path, std::move(fd));
    if (!d.has_state()) throw Error("container {} does not exist (it is still being created)", id);
    return d;
}

ContainerDir ContainerDir::open_unlocked(const std::string& root, const std::string& id) {
    validate_container_id(id);
    std::string path = root + "/" + id;
    UniqueFd fd = open_dir(path);
    if (!fd) {
        if (errno == ENOENT) throw Error("container {} does not exist", id);
        throw SysError(errno, "open {}", path);
    }
    ContainerDir d(id, path, std::move(fd));
    if (!d.has_state()) throw Error("container {} does not exist (it is still being created)", id);
    return d;
}

ContainerDir::ContainerDir(ContainerDir&& o) noexcept
    : id_(std::move(o.id_)), path_(std::move(o.path_)), fd_(std::move(o.fd_)), committed_(o.committed_) {
    o.committed_ = true;
}

ContainerDir& ContainerDir::operator=(ContainerDir&& o) noexcept {
    if (this != &o) {
        id_ = std::move(o.id_);
        path_ = std::move(o.path_);
        fd_ = std::move(o.fd_);
        committed_ = std::exchange(o.committed_, true);
    }
    return *this;
}

ContainerDir::~ContainerDir() {
    if (!committed_ && fd_) {
        try {
            remove_tree(path_);
        } catch (...) {
        }
    }
}

bool ContainerDir::has_state() const { return path_exists(file("state.json")); }

ContainerState ContainerDir::read_state() const {
    std::string p = file("state.json");
    auto text = read_file_if_exists(p);
    if (!text) throw Error("container {} does not exist", id_);
    return state_from_json(*text, p);
}

void ContainerDir::write_state(const ContainerState& s) const { write_file_atomic(file("state.json"), state_to_json(s), 0600); }

void ContainerDir::remove() {
    remove_tree(path_);
    committed_ = true;
}

std::vector<std::string> list_container_ids(const std::string& root) {
    std::vector<std::string> ids;
    DIR* d = ::opendir(root.c_str());
    if (!d) {
        if (errno == ENOENT) return ids;
        throw SysError(errno, "open {}", root);
    }
    while (auto* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        if (path_exists(root + "/" + name + "/state.json")) ids.push_back(name);
    }
    ::closedir(d);
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace mogu::runtime
