#include "monitor/alerting.h"

#include <unistd.h>

namespace mogu::monitor {
namespace {

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

double unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// The firing alerts as the status board lists them; the engine has its own lock.
class EngineAlertSource : public AlertSource {
public:
    EngineAlertSource(const AlertEngine& engine, bool oom) : engine_(engine), oom_(oom) {}

    std::vector<FiringAlert> firing() const override {
        std::vector<FiringAlert> out;
        for (const auto& a : engine_.firing())
            out.push_back(FiringAlert{a.name, a.severity, a.summary, a.labels, a.value, unix_seconds(a.starts_at)});
        return out;
    }
    // The configured rules, and the built-in OOM alert when it is on.
    size_t rules() const override { return engine_.rules().size() + (oom_ ? 1 : 0); }

private:
    const AlertEngine& engine_;
    bool oom_;
};

}  // namespace

std::shared_ptr<const AlertSource> Alerting::status_source() const {
    return std::make_shared<EngineAlertSource>(engine_, config_.oom);
}

Alerting::Alerting(const Config& config)
    : config_(config.alerts), engine_(config.rules, host_name()), delivery_(config.alerts, "http://" + config.listen.text() + "/metrics") {}

void Alerting::after_collection(MetricSet& set, const std::vector<VmOomKill>& vm_oom_kills) {
    containers_.update(set);
    delivery_.deliver(engine_.evaluate(set));
    std::set<std::string> present;
    for (const auto& kill : vm_oom_kills) {
        present.insert(kill.key);
        // Records older than this monitor were some earlier monitor's to report.
        if (!config_.oom || kill.recorded_at < started_at_ || raised_vm_ooms_.count(kill.key)) continue;
        delivery_.deliver(engine_.raise(vm_oom_alert(kill), config_.oom_resolve_after, std::chrono::steady_clock::now(), std::chrono::system_clock::now()));
    }
    raised_vm_ooms_ = std::move(present);
    auto now = std::chrono::steady_clock::now();
    if (config_.webhook_repeat.count() > 0 && now - last_repeat_ >= config_.webhook_repeat) {
        last_repeat_ = now;
        delivery_.repeat(engine_.firing());
    }
    engine_.add_metrics(set);
    delivery_.add_metrics(set);
}

void Alerting::on_kernel_event(const KernelEvent& e) {
    if (!config_.oom) return;
    auto alert = oom_alert(e, containers_);
    if (!alert) return;
    delivery_.deliver(engine_.raise(std::move(*alert), config_.oom_resolve_after, std::chrono::steady_clock::now(), std::chrono::system_clock::now()));
}

}  // namespace mogu::monitor
