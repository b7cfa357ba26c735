// The target side of mogu migrate (see migrate.h): one connection, one container.
#include "common/error.h"
#include "common/failpoint.h"
#include "common/files.h"
#include "common/log.h"
#include "runtime/criu/criu_binary.h"
#include "runtime/criu/lazy_pages_daemon.h"
#include "runtime/criu/memory_tracking.h"
#include "runtime/criu/page_server.h"
#include "runtime/migrate/connection.h"
#include "runtime/migrate/frame.h"
#include "runtime/migrate/migrate.h"
#include "runtime/migrate/rootfs_changes.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <optional>

namespace mogu::runtime::migrate {
namespace {

struct ScratchDir {
    std::string path;
    ScratchDir() {
        mkdir_p("/var/tmp", 01777);
        std::string templ = "/var/tmp/mogu-receive-XXXXXX";
        if (!mkdtemp(templ.data())) throw SysError(errno, "migrate: making a directory under /var/tmp");
        path = templ;
    }
    ~ScratchDir() {
        try {
            remove_tree(path);
        } catch (const std::exception& e) {
            log::warn("migrate: removing {}: {}", path, e.what());
        }
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
};

// The target's half of pre-copy rounds: each "iteration" frame gets a directory (pre-1, pre-2,
// ..., final; each after the first linked to the one before as criu's `parent`) and a page
// server writing into it; "iteration_done" waits for that server and counts its pages.
class Rounds {
public:
    Rounds(const Context& ctx, std::string images, std::string logs, std::string address)
        : ctx_(ctx), images_(std::move(images)), logs_(std::move(logs)), address_(std::move(address)) {}

    // Where image frames go: the current round's directory (stop-and-copy: the images root).
    const std::string& current() const { return current_.empty() ? images_ : current_; }

    uint16_t start(std::string_view kind) {
        if (server_) throw Error("migrate receive: a new iteration before the last one was done");
        if (final_) throw Error("migrate receive: an iteration after the final one");
        if (kind != "pre" && kind != "final") throw Error("migrate receive: unknown iteration kind '{}'", kind);
        final_ = kind == "final";
        std::string name = final_ ? "final" : fmt::format("pre-{}", ++pre_dumps_);
        std::string dir = path_join(images_, name);
        mkdir_p(dir, 0700);
        if (!previous_.empty() && ::symlink(("../" + previous_).c_str(), path_join(dir, "parent").c_str()) < 0)
            throw SysError(errno, "migrate receive: linking {}/parent to {}", dir, previous_);
        if (criu_path_.empty()) criu_path_ = criu::find_binary(ctx_.criu_path).path;
        server_.emplace(criu_path_, dir, logs_, fmt::format("page-server-{}.log", name), address_);
        current_ = dir;
        previous_ = name;
        return server_->port();
    }

    uint64_t done() {
        if (!server_) throw Error("migrate receive: iteration_done without an iteration");
        server_->wait(120);
        server_.reset();
        uint64_t bytes = 0;
        for (const auto& e : std::filesystem::directory_iterator(current_))
            if (e.is_regular_file() && e.path().filename().string().starts_with("pages-")) bytes += e.file_size();
        return bytes;
    }

    bool complete() const { return !server_ && (pre_dumps_ == 0 || final_); }
    bool final_done() const { return final_ && !server_; }

private:
    const Context& ctx_;
    std::string images_, logs_, address_, criu_path_, current_, previous_;
    int pre_dumps_ = 0;
    bool final_ = false;
    std::optional<criu::PageServer> server_;
};

// Why this receiver will not take the manifest's container, or "".
std::string refusal(const Context& ctx, const Manifest& m, const std::string& bundle_dir) {
    if (path_exists(path_join(ctx.root, m.id))) return fmt::format("container {} exists on the target (root {})", m.id, ctx.root);
    if (!path_exists(path_join(bundle_dir, "rootfs"))) return fmt::format("the target's bundle {} has no rootfs/ (the image must be there)", bundle_dir);
    return "";
}

// Post-copy when this kernel lets criu fill a restored process's memory in on first touch;
// otherwise the restore loads it all first, as without post-copy.
bool lazy_restore_possible(const Context& ctx) {
    if (criu::serves_lazy_pages(criu::find_binary(ctx.criu_path).path)) return true;
    log::warn("migrate receive: the source asked for post-copy, but this kernel has no userfaultfd for criu: "
              "the container's memory is restored before it runs");
    return false;
}

// The restored container runs; its memory is complete once the daemon exits, and the source
// (which kept its copy until then) is told. A daemon that failed leaves the container without the
// pages it had not touched yet, which it must not run on: it is removed here, criu's log kept, and
// the source puts its own copy back.
void await_memory(const Context& ctx, int fd, criu::LazyPagesDaemon& lazy, const std::string& id) {
    auto started = std::chrono::steady_clock::now();
    try {
        failpoint("receive.lazy-pages");  // tests: the daemon's failure, as seen from here
        lazy.wait();
    } catch (const std::exception& e) {
        std::string kept = fmt::format("/var/tmp/mogu-lazy-pages-{}.log", id);
        std::error_code ec;
        std::filesystem::copy_file(lazy.log_path(), kept, std::filesystem::copy_options::overwrite_existing, ec);
        std::string why = fmt::format("{} was restored post-copy, but {}; removed here, its memory incomplete (log kept in {})", id,
                                      e.what(), ec ? lazy.log_path() + " (not kept: " + ec.message() + ")" : kept);
        try {
            remove(ctx, id, true);
        } catch (const std::exception& e2) {
            why += fmt::format("; removing it failed: {}", e2.what());
        }
        try {
            write_frame(fd, FrameType::result, error_result(why));
        } catch (const std::exception&) {
        }
        throw Error("migrate receive: {}", why);
    }
    log::debug("migrate receive: {}'s memory filled in {:.3f} s after it ran", id,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    try {
        write_frame(fd, FrameType::result, kResultOk);
    } catch (const std::exception& e) {
        // The container here is whole; the source no longer listening is its own affair.
        log::warn("migrate receive: {} runs here with all its memory, but telling the source failed: {}", id, e.what());
    }
}

}  // namespace

std::string receive(const Context& ctx, const ReceiveOptions& o) {
    if (o.bundle_dir.empty()) throw UsageError("migrate receive: --bundle-dir is required");
    auto conn = accept_one(o.listen, 120);
    int fd = conn.get();
    auto m = decode_manifest(read_frame_of(fd, FrameType::hello, "the manifest").payload);
    if (auto why = refusal(ctx, m, o.bundle_dir); !why.empty()) {
        write_frame(fd, FrameType::result, error_result(why));
        throw Error("migrate receive: refused {}: {}", m.id, why);
    }
    // Asked now, before the source freezes the container, not in its freeze.
    bool post_copy = m.mode == Mode::live && m.post_copy && lazy_restore_possible(ctx);
    write_frame(fd, FrameType::result, kResultOk);

    ScratchDir scratch;
    std::string images = path_join(scratch.path, "images"), logs = path_join(scratch.path, "work");
    mkdir_p(images, 0700);
    mkdir_p(logs, 0700);
    Rounds rounds(ctx, images, logs, o.listen.substr(0, o.listen.rfind(':')));
    std::optional<criu::LazyPagesDaemon> lazy;  // post-copy: serves the restored memory
    try {
        auto config = read_frame_of(fd, FrameType::config, "config.json");
        std::string tar = path_join(scratch.path, "rootfs.tar");
        bool have_rootfs = false;
        for (;;) {
            auto f = read_frame(fd, "pre-copy rounds, the rootfs changes, criu images or the go-ahead");
            if (f.type == FrameType::rootfs) {
                write_file(tar, f.payload, 0600);
                have_rootfs = true;
                continue;
            }
            if (f.type == FrameType::image) {
                auto img = decode_image(f.payload);
                write_file(path_join(rounds.current(), img.name), img.content, 0600);
                continue;
            }
            if (f.type == FrameType::iteration && m.mode == Mode::live) {
                write_frame(fd, FrameType::page_server, encode_number(rounds.start(f.payload)));
                continue;
            }
            if (f.type == FrameType::iteration_done) {
                write_frame(fd, FrameType::pages_received, encode_number(rounds.done()));
                // Post-copy: every image of the final dump is here; the daemon gets ready while
                // the source sends the files.
                if (post_copy && rounds.final_done()) lazy.emplace(criu::find_binary(ctx.criu_path).path, rounds.current(), logs);
                continue;
            }
            if (f.type != FrameType::restore && f.type != FrameType::start)
                throw Error("migrate receive: unexpected {} frame", frame_type_name(f.type));
            if ((f.type == FrameType::restore) != (m.mode == Mode::live))
                throw Error("migrate receive: a {} frame in a {} migration", frame_type_name(f.type), mode_name(m.mode));
            if (!have_rootfs) throw Error("migrate receive: a {} frame before the rootfs changes", frame_type_name(f.type));
            if (!rounds.complete()) throw Error("migrate receive: a {} frame before the final dump's round was done", frame_type_name(f.type));
            break;
        }
        // Everything arrived: now the target's bundle changes and the container is made.
        write_file_atomic(path_join(o.bundle_dir, "config.json"), config.payload, 0644);
        unpack_rootfs_changes(tar, path_join(o.bundle_dir, "rootfs"));
        log::debug("migrate receive: {}'s config and files are in {}", m.id, o.bundle_dir);
        if (m.mode == Mode::live) {
            RestoreOptions r;
            r.id = m.id;
            r.bundle = o.bundle_dir;
            r.image_path = rounds.current();
            r.work_path = logs;
            r.tcp_established = m.tcp_established;
            r.cgroups_path = o.cgroups_path;
            r.detach = true;
            if (post_copy) {
                // Its socket is in the work directory, where the restore looks for it.
                if (!lazy) lazy.emplace(criu::find_binary(ctx.criu_path).path, r.image_path, logs);
                r.lazy_pages = true;
            }
            restore(ctx, r);
        } else {
            RunOptions r;
            r.id = m.id;
            r.bundle = o.bundle_dir;
            r.detach = true;
            run(ctx, r);
        }
    } catch (const std::exception& e) {
        try {
            write_frame(fd, FrameType::result, error_result(e.what()));
        } catch (const std::exception&) {
        }
        throw;
    }
    if (!lazy) {
        write_frame(fd, FrameType::result, kResultOk);
        return m.id;
    }
    // The container runs here now: whatever becomes of the source, the daemon must finish (killed,
    // it would leave the container reading zeros where its memory was not in yet).
    try {
        write_frame(fd, FrameType::result, kResultOkPostCopy);
    } catch (const std::exception& e) {
        log::warn("migrate receive: {} runs here, but telling the source failed: {}; its memory is filled in all the same", m.id, e.what());
    }
    await_memory(ctx, fd, *lazy, m.id);
    return m.id;
}

}  // namespace mogu::runtime::migrate
