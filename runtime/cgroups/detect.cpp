// Picking the driver from what is mounted: only v1 hierarchies -> v1, only cgroup2 -> v2, both
// -> hybrid (v1 controllers stay with v1, cgroup2 gets the container too and its own controllers).
#include "common/error.h"
#include "common/files.h"
#include "runtime/cgroups/driver.h"

#include <mutex>

namespace mogu::cgroups {

const char* layout_name(Layout l) {
    switch (l) {
        case Layout::v1: return "v1";
        case Layout::v2: return "v2";
        case Layout::hybrid: return "hybrid";
    }
    return "?";
}

namespace {

class ManagerImpl final : public Manager {
public:
    ManagerImpl(Layout layout, Hierarchies h) : layout_(layout), h_(std::move(h)) {}

    Layout layout() const override { return layout_; }
    std::unique_ptr<Cgroup> create(const CgroupPath& path) override { return make(path, true); }
    std::unique_ptr<Cgroup> open(const CgroupPath& path) override { return make(path, false); }

    std::string own_cgroup() const override {
        if (h_.unified) return h_.unified->own_cgroup;
        // Relative paths hang under one hierarchy's own cgroup on v1 too; name=systemd is where
        // a service manager put us, cpu the usual fallback.
        for (const char* c : {"name=systemd", "cpu", "memory"})
            for (auto& h : h_.v1)
                if (h.has(c)) return h.own_cgroup;
        return h_.v1.front().own_cgroup;
    }

private:
    std::unique_ptr<Cgroup> make(const CgroupPath& path, bool create) {
        if (path.path.empty() || path.path[0] != '/' || path.path == "/" || path.path.find("/..") != std::string::npos ||
            path.path.find("/./") != std::string::npos)
            throw Error("cgroup path \"{}\" is not a clean absolute path below the root (use resolve_path)", path.path);
        switch (layout_) {
            case Layout::v1: return make_v1_driver(h_.v1, path, create);
            case Layout::v2: return make_v2_driver(*h_.unified, unified_controllers(), path, create, {"devices", "freezer", "cpuacct"}, {});
            case Layout::hybrid: {
                auto v1 = make_v1_driver(h_.v1, path, create);
                Controllers extra;
                for (const char* c : {"devices", "freezer", "cpuacct"})
                    if (!v1->owned().count(c)) extra.insert(c);
                auto v2 = make_v2_driver(*h_.unified, unified_controllers(), path, create, extra, v1->owned());
                return make_hybrid_cgroup(std::move(v1), std::move(v2));
            }
        }
        throw Error("unknown cgroup layout");
    }

    // Read once, as the hierarchies are: every cgroup opened or made asks for it.
    const Controllers& unified_controllers() {
        std::call_once(unified_read_, [this] { unified_controllers_ = root_controllers(*h_.unified); });
        return unified_controllers_;
    }

    Layout layout_;
    Hierarchies h_;
    std::once_flag unified_read_;
    Controllers unified_controllers_;
};

}  // namespace

std::unique_ptr<Manager> detect_from(const std::string& mountinfo, const std::string& proc_self_cgroup) {
    auto h = find_hierarchies(mountinfo, proc_self_cgroup);
    if (h.v1.empty() && !h.unified) throw Error("no cgroup file system is mounted (nothing of type cgroup or cgroup2 in mountinfo)");
    Layout layout = h.v1.empty() ? Layout::v2 : h.unified ? Layout::hybrid : Layout::v1;
    return std::make_unique<ManagerImpl>(layout, std::move(h));
}

std::unique_ptr<Manager> detect() { return detect_from(read_file("/proc/self/mountinfo"), read_file("/proc/self/cgroup")); }

}  // namespace mogu::cgroups
