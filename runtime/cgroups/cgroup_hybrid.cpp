// The hybrid driver: v1 hierarchies for the controllers mounted as v1, and the container placed
// in the cgroup2 mount as well (as runc does), whose own controllers (hugetlb on this project's
// hosts) the v2 driver handles. crun refuses such hosts; mogu splits the work.
#include "common/error.h"
#include "runtime/cgroups/driver.h"

#include <exception>

namespace mogu::cgroups {
namespace {

class CgroupHybrid final : public Cgroup {
public:
    CgroupHybrid(std::unique_ptr<Driver> v1, std::unique_ptr<Driver> v2) : v1_(std::move(v1)), v2_(std::move(v2)) {
        all_ = v1_->owned();
        all_.insert(v2_->owned().begin(), v2_->owned().end());
    }

    void add_process(pid_t pid) override {
        v1_->add_process(pid);
        v2_->add_process(pid);
    }
    std::string v2_dir() const override { return v2_->v2_dir(); }
    void join_self_v1() override { v1_->join_self_v1(); }

    void apply(const oci::Resources& requested) override {
        const oci::Resources r = without_unset_values(requested);
        check_available(r, all_, true);
        // Both halves check before either writes: a bad update changes nothing.
        v1_->validate(r);
        v2_->validate(r);
        v1_->apply_owned(r);
        v2_->apply_owned(r);
    }

    void freeze(FreezerState target) override { freezer().freeze(target); }
    FreezerState freezer_state() const override { return freezer().freezer_state(); }

    Stats stats(StatsDetail detail) const override {
        Stats s;
        v1_->fill_stats(s, detail);
        v2_->fill_stats(s, detail);
        return s;
    }

    // Every process is in the unified hierarchy too, and there a plain walk finds them all.
    std::vector<pid_t> pids() const override { return v2_->pids(); }

    void destroy() override {
        std::exception_ptr first;
        for (Driver* d : {v1_.get(), v2_.get()}) {
            try {
                d->destroy();
            } catch (const Error&) {
                if (!first) first = std::current_exception();
            }
        }
        if (first) std::rethrow_exception(first);
    }

    void release() override {
        v1_->release();
        v2_->release();
    }

    std::map<std::string, std::string> paths() const override {
        auto p = v1_->paths();
        p.merge(v2_->paths());
        return p;
    }
    const CgroupPath& path() const override { return v1_->path(); }

    std::unique_ptr<OomWatcher> watch_oom() const override {
        return v1_->owned().count("memory") ? v1_->watch_oom() : v2_->watch_oom();
    }

private:
    Driver& freezer() const { return v1_->owned().count("freezer") ? *v1_ : *v2_; }

    std::unique_ptr<Driver> v1_, v2_;
    Controllers all_;
};

}  // namespace

std::unique_ptr<Cgroup> make_hybrid_cgroup(std::unique_ptr<Driver> v1, std::unique_ptr<Driver> v2) {
    return std::make_unique<CgroupHybrid>(std::move(v1), std::move(v2));
}

}  // namespace mogu::cgroups
