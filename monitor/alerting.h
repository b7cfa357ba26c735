// Alerting as the collector loop sees it: rules evaluated after each collection, the OOM alert
// raised from the kernel log's thread, delivery to the log and the webhook, and the firing
// alerts for the status page (firing()).
#pragma once

#include "monitor/alert_delivery.h"
#include "monitor/alerts.h"
#include "monitor/config.h"
#include "monitor/kmsg.h"
#include "monitor/oom_alert.h"
#include "monitor/status.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace mogu::monitor {

class Alerting {
public:
    explicit Alerting(const Config& config);

    // After a collection, before it is rendered: evaluates the rules over `set`, raises
    // ContainerOOMKilled for guests' OOM kills recorded since the monitor started (once each),
    // delivers what fired or resolved, and adds the alert series to `set`.
    void after_collection(MetricSet& set, const std::vector<VmOomKill>& vm_oom_kills = {});
    // On the kernel log's thread: an OOM kill in a container raises ContainerOOMKilled now.
    void on_kernel_event(const KernelEvent& e);

    std::vector<Alert> firing() const { return engine_.firing(); }
    void set_generator_url(std::string url) { delivery_.set_generator_url(std::move(url)); }
    // The status page's view of the firing alerts; it must not outlive this object.
    std::shared_ptr<const AlertSource> status_source() const;

private:
    AlertDeliveryConfig config_;
    AlertEngine engine_;
    AlertDelivery delivery_;
    ContainerIndex containers_;
    // Guests' OOM kills already raised (VmOomKill::key), while their records exist.
    std::set<std::string> raised_vm_ooms_;
    int64_t started_at_ = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::chrono::steady_clock::time_point last_repeat_ = std::chrono::steady_clock::now();
};

}  // namespace mogu::monitor
