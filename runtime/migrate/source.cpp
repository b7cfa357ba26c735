// The source side of mogu migrate (see migrate.h).
#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "runtime/migrate/connection.h"
#include "runtime/migrate/frame.h"
#include "runtime/migrate/migrate.h"
#include "runtime/migrate/rootfs_changes.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <chrono>
#include <thread>

namespace mogu::runtime::migrate {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A fresh directory of our own, removed with everything in it.
struct WorkDir {
    std::string path;
    explicit WorkDir(const std::string& parent) {
        mkdir_p(parent, 0700);
        std::string templ = path_join(parent, "mogu-migrate-XXXXXX");
        if (!mkdtemp(templ.data())) throw SysError(errno, "migrate: making a work directory under {}", parent);
        path = templ;
    }
    ~WorkDir() {
        try {
            remove_tree(path);
        } catch (const std::exception& e) {
            log::warn("migrate: removing {}: {}", path, e.what());
        }
    }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
};

// What the container's init had as fds 0-2 (paths from /proc/<pid>/fd), read before the dump.
std::array<std::string, 3> stdio_paths(pid_t pid) {
    std::array<std::string, 3> paths;
    for (int i = 0; i < 3; ++i) {
        char buf[PATH_MAX];
        auto link = fmt::format("/proc/{}/fd/{}", pid, i);
        ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
        if (n > 0 && buf[0] == '/') paths[i] = std::string(buf, static_cast<size_t>(n));
    }
    return paths;
}

// For its lifetime, fds 0-2 are the files the container had (else /dev/null): criu hands the
// restored process restore's stdio in place of a file from outside, and checks its type.
struct StdioReopened {
    int saved[3] = {-1, -1, -1};
    explicit StdioReopened(const std::array<std::string, 3>& paths) {
        for (int i = 0; i < 3; ++i) {
            int flags = (i == 0 ? O_RDONLY : O_WRONLY | O_APPEND) | O_CLOEXEC;
            int fd = paths[i].empty() ? -1 : open(paths[i].c_str(), flags);
            if (fd < 0) fd = open("/dev/null", O_RDWR | O_CLOEXEC);
            if (fd < 0) continue;
            saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
            dup2(fd, i);
            close(fd);
        }
    }
    ~StdioReopened() {
        for (int i = 0; i < 3; ++i)
            if (saved[i] >= 0) {
                dup2(saved[i], i);
                close(saved[i]);
            }
    }
    StdioReopened(const StdioReopened&) = delete;
    StdioReopened& operator=(const StdioReopened&) = delete;
};

std::vector<std::string> regular_files(const std::string& dir) {
    std::vector<std::string> names;
    DIR* d = opendir(dir.c_str());
    if (!d) throw SysError(errno, "migrate: opening {}", dir);
    while (auto* e = readdir(d))
        if (e->d_type == DT_REG) names.emplace_back(e->d_name);
    closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

void stop_container(const Context& ctx, const std::string& id) {
    kill(ctx, id, SIGKILL, true);
    for (int i = 0; i < 200 && query(ctx, id).status != Status::stopped; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    remove(ctx, id, true);
}

}  // namespace

MigrateReport migrate(const Context& ctx, const MigrateOptions& o) {
    auto started = Clock::now();
    MigrateReport report;
    report.mode = o.mode;
    parse_address(o.to, "--to");  // a bad address is refused before anything is looked at
    auto view = query(ctx, o.id);
    if (view.status != Status::running) throw Error("migrate: container {} is {}, not running", o.id, status_name(view.status));
    const auto& st = view.state;
    if (st.annotations.contains("io.mogu.isolation") && st.annotations.at("io.mogu.isolation") == "vm")
        throw Error("migrate: container {} runs in a VM; mogu migrate moves only ordinary containers", o.id);
    auto config = read_file(path_join(st.bundle, "config.json"));
    auto init_stdio = stdio_paths(st.pid);

    auto conn = connect_to(o.to, 5, 120);
    auto send = [&](FrameType t, std::string_view payload) {
        write_frame(conn.get(), t, payload);
        report.bytes_sent += kFrameHeaderSize + payload.size();
    };
    Manifest m{kProtocolVersion, o.id, o.mode, o.mode == Mode::live && o.tcp_established};
    send(FrameType::hello, encode_manifest(m));
    check_result(read_frame_of(conn.get(), FrameType::result, "the target's answer to hello").payload,
                 fmt::format("migrate: the target {} refused {} (the container keeps running here)", o.to, o.id));
    send(FrameType::config, config);

    WorkDir work(o.work_dir.empty() ? "/var/tmp" : o.work_dir);
    std::string images = path_join(work.path, "images"), logs = path_join(work.path, "work");
    mkdir_p(images, 0700);
    mkdir_p(logs, 0700);

    // From here the container stops running on this host.
    auto frozen = Clock::now();
    if (o.mode == Mode::live) {
        CheckpointOptions c;
        c.id = o.id;
        c.image_path = images;
        c.work_path = logs;
        c.tcp_established = m.tcp_established;
        checkpoint(ctx, c);  // criu's failure leaves the container running: nothing else to undo
    } else {
        stop_container(ctx, o.id);
    }

    // Puts the container back here when the target did not take it.
    auto put_back = [&](const std::string& why) -> std::string {
        try {
            if (o.mode == Mode::live) {
                RestoreOptions r;
                r.id = o.id;
                r.bundle = st.bundle;
                r.image_path = images;
                r.work_path = logs;
                r.tcp_established = m.tcp_established;
                r.detach = true;
                StdioReopened stdio(init_stdio);
                restore(ctx, r);
            } else {
                RunOptions r;
                r.id = o.id;
                r.bundle = st.bundle;
                r.detach = true;
                run(ctx, r);
            }
            return fmt::format("{}; {} runs here again ({} from {})", why, o.id, o.mode == Mode::live ? "restored" : "started",
                               o.mode == Mode::live ? images : st.bundle);
        } catch (const std::exception& e) {
            return fmt::format("{}; putting {} back here failed too: {} (logs in {})", why, o.id, e.what(), logs);
        }
    };

    try {
        std::string tar = path_join(work.path, "rootfs.tar");
        pack_rootfs_changes(st.rootfs, st.created, tar);
        auto changes = read_file(tar);
        report.rootfs_bytes = changes.size();
        send(FrameType::rootfs, changes);
        if (o.mode == Mode::live) {
            for (const auto& name : regular_files(images)) {
                auto content = read_file(path_join(images, name));
                report.image_bytes += content.size();
                send(FrameType::image, encode_image(name, content));
            }
            send(FrameType::restore, {});
        } else {
            send(FrameType::start, {});
        }
        check_result(read_frame_of(conn.get(), FrameType::result, "the target's restore result").payload,
                     fmt::format("migrate: the target {} could not {} {}", o.to, o.mode == Mode::live ? "restore" : "start", o.id));
    } catch (const std::exception& e) {
        // Keep the images for the put-back: the work directory goes after it.
        throw Error("{}", put_back(e.what()));
    }
    report.freeze_seconds = seconds_since(frozen);
    report.total_seconds = seconds_since(started);
    return report;
}

}  // namespace mogu::runtime::migrate
