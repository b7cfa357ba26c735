#include "monitor/alert_delivery.h"

#include "monitor/curl_library.h"

#include "common/json.h"
#include "common/log.h"
#include "common/time_format.h"

#include <fcntl.h>
#include <unistd.h>

namespace mogu::monitor {
namespace {

std::string time_text(std::chrono::system_clock::time_point t) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    struct timespec ts = {static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    return rfc3339_nano(ts);
}

std::string value_text(double v) { return format_value(Value(v)); }

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

// Non-zero aborts the transfer; libcurl calls it about once a second even when nothing moves.
int abort_when_stopping(void* stopping, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<std::atomic<bool>*>(stopping)->load() ? 1 : 0;
}

}  // namespace

std::string alert_json_line(const Alert& a) {
    JsonWriter w;
    w.begin_object().kv("status", a.firing ? "firing" : "resolved").kv("alertname", a.name).kv("severity", a.severity);
    if (!a.summary.empty()) w.kv("summary", a.summary);
    w.key("labels").begin_object();
    for (auto& [n, v] : a.labels) w.kv(n, v);
    w.end_object();
    w.kv("value", a.value).kv("startsAt", time_text(a.starts_at));
    if (!a.firing) w.kv("endsAt", time_text(a.ends_at));
    w.end_object();
    return w.str();
}

std::string alertmanager_body(const std::vector<Alert>& alerts, const std::string& generator_url) {
    JsonWriter w;
    w.begin_array();
    for (auto& a : alerts) {
        w.begin_object().key("labels").begin_object().kv("alertname", a.name).kv("severity", a.severity);
        for (auto& [n, v] : a.labels)
            if (n != "alertname" && n != "severity" && !v.empty()) w.kv(n, v);  // empty means absent to Alertmanager
        w.end_object();
        w.key("annotations").begin_object();
        if (!a.summary.empty()) w.kv("summary", a.summary);
        w.kv("value", value_text(a.value)).end_object();
        w.kv("startsAt", time_text(a.starts_at));
        if (!a.firing) w.kv("endsAt", time_text(a.ends_at));
        w.kv("generatorURL", generator_url).end_object();
    }
    w.end_array();
    return w.str();
}

AlertDelivery::AlertDelivery(AlertDeliveryConfig config, std::string generator_url)
    : config_(std::move(config)), generator_url_(std::move(generator_url)) {
    if (!config_.webhook.empty()) {
        curl_ = &CurlLibrary::get();  // refuses to start, saying why, when libcurl is missing
        thread_ = std::thread([this] { run(); });
    }
}

AlertDelivery::~AlertDelivery() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void AlertDelivery::deliver(const std::vector<Alert>& alerts) {
    if (alerts.empty()) return;
    for (auto& a : alerts)
        log::info("alert {}: {} {} value {}", a.firing ? "firing" : "resolved", a.name, a.label("id").empty() ? a.label("host") : a.label("id"),
                  value_text(a.value));
    if (!config_.log.empty()) {
        std::string text;
        for (auto& a : alerts) text += alert_json_line(a) + "\n";
        std::lock_guard<std::mutex> lock(log_mu_);
        // Opened per batch: logrotate may move the file at any time.
        int fd = ::open(config_.log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
            log::warn("alerts log {}: {}", config_.log, strerror(errno));
        if (fd >= 0) ::close(fd);
    }
    enqueue(alerts);
}

void AlertDelivery::repeat(const std::vector<Alert>& alerts) { enqueue(alerts); }

void AlertDelivery::enqueue(const std::vector<Alert>& alerts) {
    if (config_.webhook.empty() || alerts.empty()) return;
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& a : alerts) {
            if (queue_.size() >= config_.queue_limit) {
                queue_.pop_front();
                ++dropped_;
            }
            queue_.push_back(a);
        }
    }
    cv_.notify_one();
}

void AlertDelivery::set_generator_url(std::string url) {
    std::lock_guard<std::mutex> lock(mu_);
    generator_url_ = std::move(url);
}

bool AlertDelivery::post(const std::string& body, std::string& why) {
    CURL* c = curl_->easy_init();
    if (!c) {
        why = "curl_easy_init failed";
        return false;
    }
    struct curl_slist* headers = curl_->slist_append(nullptr, "Content-Type: application/json");
    curl_->easy_setopt(c, CURLOPT_URL, config_.webhook.c_str());
    curl_->easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_->easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_->easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_->easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.webhook_timeout.count()));
    curl_->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.webhook_timeout.count()));
    curl_->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // a thread of a threaded process: no SIGALRM
    curl_->easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, abort_when_stopping);
    curl_->easy_setopt(c, CURLOPT_XFERINFODATA, &stopping_);
    curl_->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    CURLcode rc = curl_->easy_perform(c);
    long status = 0;
    curl_->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_->slist_free_all(headers);
    curl_->easy_cleanup(c);
    if (rc != CURLE_OK) {
        why = curl_->easy_strerror(rc);
        return false;
    }
    if (status < 200 || status >= 300) {
        why = fmt::format("HTTP status {}", status);
        return false;
    }
    return true;
}

void AlertDelivery::run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        std::vector<Alert> batch(queue_.begin(), queue_.end());
        queue_.clear();
        std::string body = alertmanager_body(batch, generator_url_);
        lock.unlock();
        std::string why;
        bool ok = post(body, why);
        lock.lock();
        if (ok) {
            ++posted_ok_;
            warned_ = false;
        } else {
            ++posted_failed_;
            // One warning per outage, not one per alert.
            if (!warned_) log::warn("alert webhook {}: {} ({} alerts not delivered)", config_.webhook, why, batch.size());
            warned_ = true;
        }
    }
}

void AlertDelivery::add_metrics(MetricSet& set) const {
    if (config_.webhook.empty()) return;
    std::lock_guard<std::mutex> lock(mu_);
    const char* help = "Webhook POSTs of alerts to the configured receiver, by result.";
    set.add("mogu_alert_webhook_posts_total", MetricType::counter, help, {{"result", "ok"}}, posted_ok_);
    set.add("mogu_alert_webhook_posts_total", MetricType::counter, help, {{"result", "error"}}, posted_failed_);
    set.add("mogu_alert_webhook_dropped_total", MetricType::counter, "Alerts dropped from a full webhook queue.", {}, dropped_);
    set.add("mogu_alert_webhook_queue_length", MetricType::gauge, "Alerts waiting for the webhook sender.", {}, uint64_t{queue_.size()});
}

}  // namespace mogu::monitor
