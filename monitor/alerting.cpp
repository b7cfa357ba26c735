#include "monitor/alerting.h"

#include <unistd.h>

namespace mogu::monitor {
namespace {

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

}  // namespace

Alerting::Alerting(const Config& config)
    : config_(config.alerts), engine_(config.rules, host_name()), delivery_(config.alerts, "http://" + config.listen.text() + "/metrics") {}

void Alerting::after_collection(MetricSet& set) {
    containers_.update(set);
    delivery_.deliver(engine_.evaluate(set));
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
