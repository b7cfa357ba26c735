// The target side of mogu migrate (see migrate.h): one connection, one container.
#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "runtime/migrate/connection.h"
#include "runtime/migrate/frame.h"
#include "runtime/migrate/migrate.h"
#include "runtime/migrate/rootfs_changes.h"

#include <stdlib.h>

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

// Why this receiver will not take the manifest's container, or "".
std::string refusal(const Context& ctx, const Manifest& m, const std::string& bundle_dir) {
    if (path_exists(path_join(ctx.root, m.id))) return fmt::format("container {} exists on the target (root {})", m.id, ctx.root);
    if (!path_exists(path_join(bundle_dir, "rootfs"))) return fmt::format("the target's bundle {} has no rootfs/ (the image must be there)", bundle_dir);
    return "";
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
    write_frame(fd, FrameType::result, kResultOk);

    ScratchDir scratch;
    std::string images = path_join(scratch.path, "images"), logs = path_join(scratch.path, "work");
    mkdir_p(images, 0700);
    mkdir_p(logs, 0700);
    try {
        auto config = read_frame_of(fd, FrameType::config, "config.json");
        auto rootfs = read_frame_of(fd, FrameType::rootfs, "the rootfs changes");
        std::string tar = path_join(scratch.path, "rootfs.tar");
        write_file(tar, rootfs.payload, 0600);
        rootfs.payload.clear();
        for (;;) {
            auto f = read_frame(fd, "criu images or the go-ahead");
            if (f.type == FrameType::image) {
                auto img = decode_image(f.payload);
                write_file(path_join(images, img.name), img.content, 0600);
                continue;
            }
            if (f.type != FrameType::restore && f.type != FrameType::start)
                throw Error("migrate receive: unexpected {} frame", frame_type_name(f.type));
            if ((f.type == FrameType::restore) != (m.mode == Mode::live))
                throw Error("migrate receive: a {} frame in a {} migration", frame_type_name(f.type), mode_name(m.mode));
            break;
        }
        // Everything arrived: now the target's bundle changes and the container is made.
        write_file_atomic(path_join(o.bundle_dir, "config.json"), config.payload, 0644);
        unpack_rootfs_changes(tar, path_join(o.bundle_dir, "rootfs"));
        if (m.mode == Mode::live) {
            RestoreOptions r;
            r.id = m.id;
            r.bundle = o.bundle_dir;
            r.image_path = images;
            r.work_path = logs;
            r.tcp_established = m.tcp_established;
            r.detach = true;
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
    write_frame(fd, FrameType::result, kResultOk);
    return m.id;
}

}  // namespace mogu::runtime::migrate
