#include "snapshotter/recover.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/files.h"
#include "common/log.h"
#include "common/strings.h"
#include "snapshotter/dm/device_mapper.h"
#include "snapshotter/errors.h"
#include "snapshotter/metadata.h"

#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace mogu::snap {
namespace {

// The daemon must be down: two writers of one pool would corrupt it.
void require_daemon_down(const Config& c) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, c.address.c_str(), sizeof addr.sun_path - 1);
    if (fd && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
        throw SnapError(ErrorKind::failed_precondition, "mogu-snapshotter is running ({} answers): stop it before recovering",
                        c.address);
}

std::optional<SnapshotRow> row_for_device(const Config& c, uint32_t id) {
    if (!path_exists(c.db_path())) return std::nullopt;
    MetaStore store(c.db_path());
    return store.by_device(id);
}

// The mount at `dir` from /proc/self/mountinfo: its source, or "" when nothing is mounted there.
std::string mount_source(const std::string& dir) {
    for (auto& line : split(read_file("/proc/self/mountinfo"), '\n')) {
        auto f = split(line, ' ');
        if (f.size() < 10 || f[4] != dir) continue;
        for (size_t i = 6; i + 2 < f.size(); ++i)
            if (f[i] == "-") return f[i + 2];
    }
    return "";
}

}  // namespace

std::vector<RecoverEntry> recover_list(const Config& c) {
    ThinPool pool(c);
    std::optional<MetaStore> store;
    if (path_exists(c.db_path())) store.emplace(c.db_path());
    std::vector<RecoverEntry> out;
    for (auto& r : pool.list_from_metadata()) {
        RecoverEntry e{r, "", ""};
        if (store) {
            if (auto row = store->by_device(r.dev_id)) { e.key = row->key; e.kind = kind_name(row->kind); }
            else if (store->meta("base_device_id") == std::to_string(r.dev_id)) e.kind = "base";
        }
        out.push_back(e);
    }
    return out;
}

std::string recover_mount(const Config& c, const RecoverTarget& t) {
    require_daemon_down(c);
    if (t.mount_dir.empty() || t.mount_dir[0] != '/') throw Error("recover: --mount wants an absolute directory");
    ThinPool pool(c);
    uint32_t id;
    uint64_t size = 0;
    if (t.device_id) {
        id = *t.device_id;
        if (auto row = row_for_device(c, id)) size = row->size;
    } else {
        if (!path_exists(c.db_path()))
            throw SnapError(ErrorKind::not_found,
                            "metadata database {} does not exist: list the pool's devices with `recover --list` and "
                            "use --device-id", c.db_path());
        MetaStore store(c.db_path());
        auto row = store.get(t.key);
        if (!row) throw SnapError(ErrorKind::not_found, "no snapshot {} in {}", t.key, c.db_path());
        id = row->device_id;
        size = row->size;
    }
    if (!pool.active()) {
        pool.activate();
        log::info("pool {} activated from its metadata", c.pool_name);
    }
    bool found = false;
    for (auto& r : pool.list_from_metadata()) found = found || r.dev_id == id;
    if (!found)
        throw SnapError(ErrorKind::not_found, "pool {} has no thin device {} (`recover --list` shows them)", c.pool_name, id);
    // Without the database the virtual size is unknown; the whole pool bounds it, and the
    // filesystem knows its own size.
    if (size == 0) size = pool.status().data_bytes();

    std::string name = pool.recover_name(id);
    if (dm::exists(name))
        throw SnapError(ErrorKind::already_exists, "device {} is already being recovered as {} (`recover --release`)", id, name);
    pool.activate_thin(name, id, size, /*read_only=*/true);
    std::string dev = dm::node_path(name);
    try {
        mkdir_p(t.mount_dir);
        // noload/norecovery: the journal may need replay, and the device is read-only.
        const char* opts = c.fs_type == "ext4" ? "noload,nodiscard" : "norecovery,nodiscard";
        if (::mount(dev.c_str(), t.mount_dir.c_str(), c.fs_type.c_str(), MS_RDONLY | MS_NODEV | MS_NOSUID, opts) != 0)
            throw SysError(errno, "mount {} ({}) on {}", dev, c.fs_type, t.mount_dir);
    } catch (...) {
        try { dm::remove(name, 10); } catch (const std::exception& e) { log::warn("undo recover: {}", e.what()); }
        throw;
    }
    return dev;
}

void recover_release(const Config& c, const std::string& mount_dir) {
    std::string source = mount_source(mount_dir);
    std::string prefix = dm::node_path(c.pool_name + "-recover-");
    if (source.empty()) throw SnapError(ErrorKind::not_found, "nothing is mounted on {}", mount_dir);
    if (source.rfind(prefix, 0) != 0)
        throw SnapError(ErrorKind::invalid_argument, "{} is mounted from {}, not from a recovered device of pool {}", mount_dir,
                        source, c.pool_name);
    check(::umount2(mount_dir.c_str(), 0), "unmount {}", mount_dir);
    dm::remove(source.substr(std::string("/dev/mapper/").size()), 30);
}

}  // namespace mogu::snap
