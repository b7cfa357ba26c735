// Where alerts go when they fire or resolve: JSON lines appended to a log file, and an HTTP POST
// in Alertmanager's API v2 format (POST /api/v2/alerts, a JSON array of {labels, annotations,
// startsAt, endsAt, generatorURL}) made by a sender thread of its own with libcurl. The sender's
// queue is bounded (the oldest alerts are dropped and counted beyond it) and every POST has a
// timeout, so a receiver that hangs delays only the sender, never the collection.
#pragma once

#include "monitor/alert_rules.h"
#include "monitor/alerts.h"
#include "monitor/exposition.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mogu::monitor {

// One alert as a JSON line: {"status":"firing","alertname":...,"severity":...,"summary":...,
// "labels":{...},"value":...,"startsAt":...,"endsAt":...} (endsAt only once resolved).
std::string alert_json_line(const Alert& a);
// Alertmanager's API v2 body: alertname and severity join the labels; summary and value are
// annotations.
std::string alertmanager_body(const std::vector<Alert>& alerts, const std::string& generator_url);

class AlertDelivery {
public:
    AlertDelivery(AlertDeliveryConfig config, std::string generator_url);
    ~AlertDelivery();  // stops the sender, aborting a post in flight
    AlertDelivery(const AlertDelivery&) = delete;
    AlertDelivery& operator=(const AlertDelivery&) = delete;

    // Writes the log lines and queues the webhook post; never waits on the network. Any thread.
    void deliver(const std::vector<Alert>& alerts);
    // Firing alerts posted again (webhook only, not logged).
    void repeat(const std::vector<Alert>& alerts);
    // The monitor's address is known once the listener has bound its port.
    void set_generator_url(std::string url);

    // mogu_alert_webhook_posts_total{result}, mogu_alert_webhook_dropped_total, queue length.
    void add_metrics(MetricSet& set) const;

private:
    void run();
    void enqueue(const std::vector<Alert>& alerts);
    bool post(const std::string& body, std::string& why);

    AlertDeliveryConfig config_;
    std::string generator_url_;
    std::mutex log_mu_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Alert> queue_;
    bool stop_ = false;
    const struct CurlLibrary* curl_ = nullptr;  // loaded when there is a webhook
    std::atomic<bool> stopping_{false};  // read by curl's progress callback: a stop aborts a post in flight
    uint64_t posted_ok_ = 0, posted_failed_ = 0, dropped_ = 0;
    bool warned_ = false;
    std::thread thread_;
};

}  // namespace mogu::monitor
