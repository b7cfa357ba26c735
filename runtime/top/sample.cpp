#include "runtime/top/sample.h"

#include "common/error.h"
#include "runtime/runtime.h"

#include <dirent.h>
#include <time.h>

#include <algorithm>

namespace mogu::runtime::top {
namespace {

uint64_t monotonic_ns() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

// v1 says "no limit" with a page-rounded 2^63, v2 with "max" (read as 2^64-1).
uint64_t limit_or_zero(uint64_t limit) { return limit >= (1ULL << 62) ? 0 : limit; }

void add_io(const std::vector<cgroups::BlkioEntry>& entries, ContainerSample& c) {
    for (const auto& e : entries) {
        if (e.op == "Read") c.read_bytes += e.value;
        else if (e.op == "Write") c.write_bytes += e.value;
    }
}

void read_one(const Context& ctx, const ContainerView& view, bool read_load, ContainerSample& c) {
    c.status = view.status;
    if (view.status == Status::stopped) return;
    ContainerStats s = stats_of(ctx, view.state, cgroups::StatsDetail::summary, read_load);
    c.has_stats = true;
    c.cpu_ns = s.cgroup.cpu.total_ns;
    c.memory_usage = s.cgroup.memory.usage;
    c.memory_limit = limit_or_zero(s.cgroup.memory.limit);
    add_io(s.cgroup.blkio.io_service_bytes, c);
    c.pids = s.cgroup.pids.current;
    c.pids_limit = s.cgroup.pids.limit;
    c.oom_kills = s.cgroup.memory.oom_kill;
    c.load = s.load;
}

}  // namespace

Sample take_sample(const SampleOptions& opts) {
    Sample out;
    out.taken_ns = monotonic_ns();
    for (const auto& root : opts.roots) {
        Context ctx;
        ctx.root = root;
        std::vector<ContainerView> views;
        if (opts.ids.empty()) {
            views = list(ctx);
        } else {
            for (const auto& id : opts.ids) {
                try {
                    views.push_back(query(ctx, id));
                } catch (const Error&) {
                    // not under this root
                }
            }
        }
        for (const auto& view : views) {
            ContainerSample c;
            c.root = root;
            c.id = view.state.id;
            try {
                read_one(ctx, view, opts.read_load, c);
            } catch (const Error&) {
                c.has_stats = false;  // stopped or deleted while we looked
            }
            out.containers.push_back(std::move(c));
        }
    }
    return out;
}

std::vector<std::string> known_roots() {
    std::vector<std::string> roots;
    auto add_if_dir = [&](const std::string& path) {
        if (DIR* d = ::opendir(path.c_str())) {
            ::closedir(d);
            roots.push_back(path);
        }
    };
    add_if_dir("/run/mogu");
    if (DIR* d = ::opendir("/run/containerd/mogu")) {
        while (struct dirent* e = ::readdir(d)) {
            std::string name = e->d_name;
            if (name != "." && name != "..") add_if_dir("/run/containerd/mogu/" + name);
        }
        ::closedir(d);
    }
    std::sort(roots.begin(), roots.end());
    return roots;
}

}  // namespace mogu::runtime::top
