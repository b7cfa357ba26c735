// The source side of mogu migrate (see migrate.h).
#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "runtime/container_cgroup.h"
#include "runtime/criu/criu_binary.h"
#include "runtime/criu/freeze_for_dump.h"
#include "runtime/criu/memory_tracking.h"
#include "runtime/migrate/connection.h"
#include "runtime/migrate/frame.h"
#include "runtime/migrate/migrate.h"
#include "runtime/migrate/precopy_plan.h"
#include "runtime/migrate/precopy_round.h"
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
#include <future>
#include <thread>

namespace mogu::runtime::migrate {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A fresh directory of our own, removed with everything in it.
struct WorkDir {
    std::string path;
    bool keep = false;  // left for the user (named in an error)
    explicit WorkDir(const std::string& parent) {
        mkdir_p(parent, 0700);
        std::string templ = path_join(parent, "mogu-migrate-XXXXXX");
        if (!mkdtemp(templ.data())) throw SysError(errno, "migrate: making a work directory under {}", parent);
        path = templ;
    }
    ~WorkDir() {
        if (keep) return;
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

void stop_container(const Context& ctx, const std::string& id) {
    kill(ctx, id, SIGKILL, true);
    if (query(ctx, id).status == Status::paused) {
        try {
            resume(ctx, id);  // thawed, the killed tasks exit
        } catch (const std::exception& e) {
            log::debug("migrate: resuming the killed {}: {}", id, e.what());
        }
    }
    for (int i = 0; i < 200 && query(ctx, id).status != Status::stopped; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    remove(ctx, id, true);
}

// "ADDR" of "ADDR:PORT" (checked by parse_address): where the target's page servers listen.
std::string host_of(const std::string& address) { return address.substr(0, address.rfind(':')); }

// The target ran the container post-copy, and then the connection was lost before it said whether
// it has all the memory: it may run there, whole, or not at all. Putting the source's copy back
// could run the container twice, so the caller leaves it as it is and says what to check.
struct TargetOutcomeUnknown : Error {
    using Error::Error;
};

// The target's restore result: the freeze ends with it. After a post-copy restore the container
// runs there while criu fills in its memory; the source keeps its own copy until the target says
// all of it is in, and throws (the caller puts the source back) when the target says it lost it.
void await_target(int fd, const MigrateOptions& o, Clock::time_point frozen, MigrateReport& report) {
    auto result = read_frame_of(fd, FrameType::result, "the target's restore result").payload;
    check_result(result, fmt::format("migrate: the target {} could not restore {}", o.to, o.id));
    report.freeze_seconds = seconds_since(frozen);
    report.post_copy = result == kResultOkPostCopy;
    if (!report.post_copy) return;
    Frame done;
    try {
        wait_on_live_peer(fd);
        done = read_frame_of(fd, FrameType::result, "the target's word that the container's memory is all there");
    } catch (const std::exception& e) {
        throw TargetOutcomeUnknown("migrate: the target {} ran {} post-copy, but the connection to it failed before it said the memory "
                                   "was all there ({})", o.to, o.id, e.what());
    }
    check_result(done.payload, fmt::format("migrate: the target {} ran {} but could not fill in its memory (it stopped it there)", o.to, o.id));
}

// Pre-copy after the hello and config: rounds of pre-dumps while they shrink, then the paused
// container's final dump, its files, and the target's restore. Throws with what became of the
// source: running on (pre-dumps leave it so) or resumed (after the pause).
void precopy(const Context& ctx, const MigrateOptions& o, const ContainerState& st, bool tcp_established, int fd,
             const std::string& images, const std::string& logs, const SendFrame& send, MigrateReport& report) {
    std::string host = host_of(o.to);
    PrecopyLimits limits;
    limits.max_iterations = o.max_iterations;
    std::vector<uint64_t> sent;
    std::string parent;
    try {
        while (another_pre_dump(sent, limits)) {
            auto name = fmt::format("pre-{}", sent.size() + 1);
            unsigned port = ask_page_server(fd, false, send);
            auto r = run_round(ctx, o, tcp_established, fd, host, port, {path_join(images, name), path_join(logs, name), parent, false}, send);
            log::debug("migrate: {} sent {} bytes of pages in {:.3f} s", name, r.pages_bytes, r.seconds);
            report.iterations.push_back(r);
            report.image_bytes += r.pages_bytes;
            sent.push_back(r.pages_bytes);
            parent = "../" + name;
        }
    } catch (const std::exception& e) {
        throw Error("{} ({} keeps running here: pre-dumps do not stop it)", e.what(), o.id);
    }

    // The final round's page server is started before the freeze, not in it.
    unsigned final_port = 0;
    try {
        final_port = ask_page_server(fd, true, send);
    } catch (const std::exception& e) {
        throw Error("{} ({} keeps running here)", e.what(), o.id);
    }
    // From here the container is paused on this host until the target runs it: frozen when
    // none of its processes is inside vfork(), which would keep criu from stopping the tree.
    auto frozen = Clock::now();
    {
        auto cgroup = open_container_cgroup(ctx, st);
        if (!cgroup) throw Error("migrate: container {} has no cgroup to freeze ({} keeps running here)", o.id, o.id);
        criu::FrozenForDump(*cgroup, o.id).keep();
    }
    // Its files no longer change: they are packed while criu dumps its processes.
    std::string tar = path_join(images, "rootfs.tar");
    auto packed = std::async(std::launch::async, [&] { pack_rootfs_changes(st.rootfs, st.created, tar); });
    try {
        auto r = run_round(ctx, o, tcp_established, fd, host, final_port, {path_join(images, "final"), path_join(logs, "final"), parent, true}, send);
        report.iterations.push_back(r);
        report.image_bytes += r.pages_bytes;
        log::debug("migrate: the final dump of {} done {:.3f} s into the freeze", o.id, seconds_since(frozen));
        packed.get();
        auto changes = read_file(tar);
        report.rootfs_bytes = changes.size();
        send(FrameType::rootfs, changes);
        send(FrameType::restore, {});
        log::debug("migrate: {}'s files ({} bytes) sent, the target restores it, {:.3f} s into the freeze", o.id, changes.size(),
                   seconds_since(frozen));
        await_target(fd, o, frozen, report);
    } catch (const TargetOutcomeUnknown& e) {
        throw Error("{}; {} stays paused here: if it runs on {}, delete it here (mogu delete --force {}), else resume it here "
                    "(mogu resume {})", e.what(), o.id, o.to, o.id, o.id);
    } catch (const std::exception& e) {
        if (packed.valid()) packed.wait();
        try {
            resume(ctx, o.id);
        } catch (const std::exception& e2) {
            throw Error("{}; resuming {} here failed too: {} (logs in {})", e.what(), o.id, e2.what(), logs);
        }
        throw Error("{}; {} runs here again (resumed as it was)", e.what(), o.id);
    }
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
    if (o.max_iterations < 0) throw UsageError("migrate: --max-iterations must be 0 or more, not {}", o.max_iterations);
    if (o.mode == Mode::live && o.max_iterations > 0) {
        report.precopy = criu::tracks_dirty_memory(criu::find_binary(ctx.criu_path).path);
        if (!report.precopy) {
            report.fallback = "pre-copy needs dirty memory tracking (CONFIG_MEM_SOFT_DIRTY), which this kernel lacks: stop-and-copy";
            if (o.notice) o.notice(report.fallback);
        }
    }

    auto conn = connect_to(o.to, 5, 120);
    auto send = [&](FrameType t, std::string_view payload) {
        write_frame(conn.get(), t, payload);
        report.bytes_sent += kFrameHeaderSize + payload.size();
    };
    Manifest m{kProtocolVersion, o.id, o.mode, o.mode == Mode::live && o.tcp_established, o.mode == Mode::live && o.post_copy};
    send(FrameType::hello, encode_manifest(m));
    check_result(read_frame_of(conn.get(), FrameType::result, "the target's answer to hello").payload,
                 fmt::format("migrate: the target {} refused {} (the container keeps running here)", o.to, o.id));
    send(FrameType::config, config);

    WorkDir work(o.work_dir.empty() ? "/var/tmp" : o.work_dir);
    std::string images = path_join(work.path, "images"), logs = path_join(work.path, "work");
    mkdir_p(images, 0700);
    mkdir_p(logs, 0700);

    if (report.precopy) {
        precopy(ctx, o, st, m.tcp_established, conn.get(), images, logs, send, report);
        // The target runs it: the paused original goes.
        try {
            stop_container(ctx, o.id);
        } catch (const std::exception& e) {
            log::warn("migrate: {} runs on {} now, but removing it here failed: {}", o.id, o.to, e.what());
        }
        report.total_seconds = seconds_since(started);
        return report;
    }

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
            report.image_bytes += send_image_files(images, send);
            send(FrameType::restore, {});
            await_target(conn.get(), o, frozen, report);
        } else {
            send(FrameType::start, {});
            check_result(read_frame_of(conn.get(), FrameType::result, "the target's start result").payload,
                         fmt::format("migrate: the target {} could not start {}", o.to, o.id));
            report.freeze_seconds = seconds_since(frozen);
        }
    } catch (const TargetOutcomeUnknown& e) {
        work.keep = true;
        throw Error("{}; if {} does not run on {}, restore it here from {} (mogu restore -d{} --image-path {} --bundle {} {})", e.what(),
                    o.id, o.to, images, m.tcp_established ? " --tcp-established" : "", images, st.bundle, o.id);
    } catch (const std::exception& e) {
        // Keep the images for the put-back: the work directory goes after it.
        throw Error("{}", put_back(e.what()));
    }
    report.total_seconds = seconds_since(started);
    return report;
}

}  // namespace mogu::runtime::migrate
