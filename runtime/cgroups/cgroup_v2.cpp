// The cgroup v2 driver: one directory in the unified hierarchy. Devices are an eBPF program,
// pause is cgroup.freeze. Used alone on v2 hosts and as the unified half of the hybrid driver.
#include "common/error.h"
#include "common/strings.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/driver.h"
#include "runtime/cgroups/v2.h"
#include "runtime/cgroups/oom_watch.h"

namespace mogu::cgroups {
namespace {

class CgroupV2 final : public Driver {
public:
    CgroupV2(Hierarchy unified, CgroupPath path, Controllers owned)
        : h_(std::move(unified)), path_(std::move(path)), dir_(h_.dir(path_.path)), owned_(std::move(owned)) {}

    ~CgroupV2() override {
        if (!released_) fs::remove_made_dirs(made_, dir_);
    }

    void create(const Controllers& real_controllers) {
        made_ = fs::make_dirs(h_.mount_point, path_.path);
        v2::enable_controllers(h_.mount_point, path_.path, real_controllers);
    }

    const Controllers& owned() const override { return owned_; }
    void add_process(pid_t pid) override { fs::write_pid(dir_, pid); }
    std::string v2_dir() const override { return dir_; }
    void join_self_v1() override {}

    void apply(const oci::Resources& requested) override {
        const oci::Resources r = without_unset_values(requested);
        check_available(r, owned_, true);
        validate(r);
        apply_owned(r);
    }
    void validate(const oci::Resources& r) const override { v2::validate(owned_, r); }
    void apply_owned(const oci::Resources& r) override { v2::apply(dir_, owned_, r); }

    void freeze(FreezerState target) override { v2::freeze(dir_, target); }
    FreezerState freezer_state() const override { return v2::freezer_state(dir_); }

    Stats stats(StatsDetail detail) const override {
        Stats s;
        fill_stats(s, detail);
        return s;
    }
    void fill_stats(Stats& s, StatsDetail detail) const override { v2::fill_stats(dir_, owned_, s, detail); }

    std::vector<pid_t> pids() const override { return fs::procs_recursive(dir_); }
    void destroy() override { fs::remove_tree(dir_); }
    void release() override { released_ = true; }
    std::map<std::string, std::string> paths() const override { return {{"unified", dir_}}; }
    const CgroupPath& path() const override { return path_; }

    std::unique_ptr<OomWatcher> watch_oom() const override {
        if (!owned_.count("memory")) throw Error("cannot watch for OOM kills: the memory controller is not on the cgroup v2 hierarchy");
        return watch_oom_v2(dir_);
    }

private:
    Hierarchy h_;
    CgroupPath path_;
    std::string dir_;
    Controllers owned_;
    std::vector<std::string> made_;
    bool released_ = false;
};

}  // namespace

Controllers root_controllers(const Hierarchy& unified) {
    Controllers out;
    for (auto& c : split(std::string(trim(fs::read(unified.mount_point, "cgroup.controllers"))), ' '))
        if (!c.empty()) out.insert(c);
    return out;
}

std::unique_ptr<Driver> make_v2_driver(const Hierarchy& unified, const Controllers& available, const CgroupPath& path, bool create,
                                       const Controllers& owned_extra, const Controllers& exclude) {
    // What the hierarchy can give at all; a delegated subtree may enable less (errors say so).
    Controllers real;
    for (auto& c : available)
        if (!exclude.count(c)) real.insert(c);
    Controllers owned = real;
    owned.insert(owned_extra.begin(), owned_extra.end());
    auto cg = std::make_unique<CgroupV2>(unified, path, owned);
    if (create) cg->create(real);
    return cg;
}

}  // namespace mogu::cgroups
