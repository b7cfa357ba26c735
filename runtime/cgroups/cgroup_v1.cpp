// The cgroup v1 driver: the container has one directory per mounted hierarchy (co-mounted
// controllers share one; named hierarchies like name=systemd are joined as runc does).
#include "common/error.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/driver.h"
#include "runtime/cgroups/v1.h"
#include "runtime/cgroups/oom_watch.h"

#include <exception>

namespace mogu::cgroups {

namespace {

class CgroupV1 final : public Driver {
public:
    CgroupV1(std::vector<Hierarchy> hierarchies, CgroupPath path) : hierarchies_(std::move(hierarchies)), path_(std::move(path)) {
        for (auto& h : hierarchies_)
            for (auto& c : h.controllers) {
                dirs_[c] = h.dir(path_.path);
                if (!c.starts_with("name=")) owned_.insert(c);
            }
    }

    ~CgroupV1() override {
        if (released_) return;
        for (size_t i = 0; i < made_.size(); ++i) fs::remove_made_dirs(made_[i], hierarchies_[i].dir(path_.path));
    }

    void create() {
        for (auto& h : hierarchies_) {
            made_.push_back(fs::make_dirs(h.mount_point, path_.path));
            if (h.has("cpuset")) v1::inherit_cpuset(h.mount_point, path_.path);
        }
    }

    const Controllers& owned() const override { return owned_; }

    void add_process(pid_t pid) override {
        for (auto& h : hierarchies_) fs::write_pid(h.dir(path_.path), pid);
    }
    std::string v2_dir() const override { return ""; }
    void join_self_v1() override {
        for (auto& h : hierarchies_) fs::write_self_task(h.dir(path_.path));
    }

    void apply(const oci::Resources& requested) override {
        const oci::Resources r = without_unset_values(requested);
        check_available(r, owned_, false);
        validate(r);
        apply_owned(r);
    }
    void validate(const oci::Resources& r) const override { v1::validate(dirs_, r); }
    void apply_owned(const oci::Resources& r) override { v1::apply(dirs_, r); }

    void freeze(FreezerState target) override { v1::freeze(freezer_dir(), target); }
    FreezerState freezer_state() const override { return v1::freezer_state(freezer_dir()); }

    Stats stats(StatsDetail detail) const override {
        Stats s;
        fill_stats(s, detail);
        return s;
    }
    void fill_stats(Stats& s, StatsDetail detail) const override { v1::fill_stats(dirs_, s, detail); }

    std::vector<pid_t> pids() const override {
        if (hierarchies_.empty()) return {};
        return fs::procs_recursive(hierarchies_.front().dir(path_.path));
    }

    void destroy() override {
        // Every hierarchy is tried; the first failure is reported.
        std::exception_ptr first;
        for (auto& h : hierarchies_) {
            try {
                fs::remove_tree(h.dir(path_.path));
            } catch (const Error&) {
                if (!first) first = std::current_exception();
            }
        }
        if (first) std::rethrow_exception(first);
    }

    void release() override { released_ = true; }
    std::map<std::string, std::string> paths() const override { return dirs_; }
    const CgroupPath& path() const override { return path_; }

    std::unique_ptr<OomWatcher> watch_oom() const override {
        auto it = dirs_.find("memory");
        if (it == dirs_.end()) throw Error("cannot watch for OOM kills: no memory cgroup hierarchy is mounted");
        return watch_oom_v1(it->second);
    }

private:
    const std::string& freezer_dir() const {
        auto it = dirs_.find("freezer");
        if (it == dirs_.end()) throw Error("cannot freeze {}: no freezer cgroup hierarchy is mounted", path_.path);
        return it->second;
    }

    std::vector<Hierarchy> hierarchies_;
    CgroupPath path_;
    DirMap dirs_;
    Controllers owned_;
    std::vector<std::vector<std::string>> made_;  // per hierarchy, in creation order
    bool released_ = false;
};

}  // namespace

std::unique_ptr<Driver> make_v1_driver(const std::vector<Hierarchy>& hierarchies, const CgroupPath& path, bool create) {
    auto cg = std::make_unique<CgroupV1>(hierarchies, path);
    // If a later hierarchy fails, cg's destructor removes what the earlier ones made.
    if (create) cg->create();
    return cg;
}

}  // namespace mogu::cgroups
