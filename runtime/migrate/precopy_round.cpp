#include "runtime/migrate/precopy_round.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"

#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace mogu::runtime::migrate {
namespace {

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

}  // namespace

uint64_t send_image_files(const std::string& dir, const SendFrame& send) {
    uint64_t bytes = 0;
    for (const auto& name : regular_files(dir)) {
        auto content = read_file(path_join(dir, name));
        bytes += content.size();
        send(FrameType::image, encode_image(name, content));
    }
    return bytes;
}

unsigned ask_page_server(int fd, bool final, const SendFrame& send) {
    send(FrameType::iteration, final ? "final" : "pre");
    auto port = decode_number(read_frame_of(fd, FrameType::page_server, "the target's page server port").payload, "the page server port");
    if (port == 0 || port > 65535) throw Error("migrate: the target named page server port {}", port);
    return unsigned(port);
}

IterationReport run_round(const Context& ctx, const MigrateOptions& o, bool tcp_established, int fd, const std::string& host,
                          unsigned port, const Round& round, const SendFrame& send) {
    auto started = std::chrono::steady_clock::now();
    const char* what = round.final ? "the final dump" : "a pre-dump";

    mkdir_p(round.dir, 0700);
    mkdir_p(round.logs, 0700);
    CheckpointOptions c;
    c.id = o.id;
    c.image_path = round.dir;
    c.work_path = round.logs;
    c.tcp_established = tcp_established;
    c.page_server = fmt::format("{}:{}", host, port);
    c.parent_path = round.parent;
    c.pre_dump = !round.final;
    c.leave_running = true;  // the final dump: the paused container stays here until the target runs it
    log::debug("migrate: {} of {} to the page server {}", what, o.id, c.page_server);
    checkpoint(ctx, c);
    if (round.final) send_image_files(round.dir, send);

    send(FrameType::iteration_done, {});
    IterationReport r;
    r.final = round.final;
    r.pages_bytes = decode_number(read_frame_of(fd, FrameType::pages_received, "the target's count of pages").payload, "the pages received");
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
}

}  // namespace mogu::runtime::migrate
