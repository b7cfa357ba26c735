// What the status page, GET /api/status and `mogu-monitor status` show: the containers with their
// usage against their limits and the last 15 minutes of their key series, and the firing alerts.
// The collector thread feeds a StatusBoard after each collection; the listener's thread takes a
// StatusSnapshot from it only when someone asks (nothing is rendered otherwise).
#pragma once

#include "monitor/exposition.h"
#include "monitor/history.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mogu::monitor {

// One firing alert, as the alerting step will report it: what (rule name), how bad (severity),
// where (labels: namespace/id, device, ...), the value that crossed the threshold, since when.
struct FiringAlert {
    std::string name;
    std::string severity;  // "critical", "warning", "info"
    std::string summary;   // one line, for people
    Labels labels;
    double value = 0;
    double since = 0;  // Unix seconds
};

// What the status page asks of alerting. The rules engine implements it; until then the board
// has none and says so ("no alerts firing; no alert rules loaded").
class AlertSource {
public:
    virtual ~AlertSource() = default;
    // Called from the listener's thread: must be safe against the collector's updates.
    virtual std::vector<FiringAlert> firing() const = 0;
    // How many rules are loaded: 0 tells "nothing fires" from "nothing is watched".
    virtual size_t rules() const = 0;
};

struct ContainerStatus {
    std::string key;  // state root + "/" + id: unique on the node
    // Labels as in the metrics: the container id, its cgroup, containerd's namespace,
    // Kubernetes' namespace/pod/container and the image where known.
    std::string name, cgroup, containerd_namespace, k8s_namespace, pod, container, image;
    Reading latest;         // the last collection's raw figures (limits: 0 = none)
    HistoryPoint now;       // ContainerHistory::current(): CPU % and IO rate over about a step
    std::vector<HistoryPoint> history;  // oldest first, `step` seconds apart, the last one newest
};

struct StatusSnapshot {
    double time = 0;      // Unix seconds of the last collection
    double interval = 0;  // seconds between collections
    double step = 0;      // seconds between history points
    size_t history_points = 0;  // how many points fill 15 minutes
    std::string version;
    std::vector<ContainerStatus> containers;  // sorted by containerd namespace, then name
    bool alerting = false;  // an AlertSource is attached
    size_t alert_rules = 0;
    std::vector<FiringAlert> alerts;
};

// A container as one collection saw it: its labels (container_labels()) and figures.
struct ContainerReading {
    std::string key;
    Labels labels;
    Reading reading;
};

// Thread-safe: update() from the collector, snapshot() from the listener.
class StatusBoard {
public:
    explicit StatusBoard(double interval) : interval_(interval), history_(interval) {}

    // After each collection: every container it read. Those not among them are forgotten.
    void update(const std::vector<ContainerReading>& readings, double unix_time);
    void set_alerts(std::shared_ptr<const AlertSource> alerts);
    StatusSnapshot snapshot() const;

private:
    mutable std::mutex mu_;
    double interval_;
    double time_ = 0;
    History history_;
    std::vector<ContainerReading> current_;
    std::shared_ptr<const AlertSource> alerts_;
};

// "default/web": containerd's namespace and the id, or the id alone for mogu run by hand.
std::string display_name(const ContainerStatus& c);
// "kube-system/coredns-x" from Kubernetes' labels, "" when there are none.
std::string pod_name(const ContainerStatus& c);

}  // namespace mogu::monitor
