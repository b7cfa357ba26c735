// mogu-monitor: watches every container mogu runs and serves their figures to Prometheus.
// One process, three threads (four with a webhook): this one collects at the configured interval
// (and evaluates the alert rules), the HTTP listener's (libevent) serves the last collection to
// scrapers and the status page, the kernel log's reads /dev/kmsg, and the alert sender's, started
// only when a webhook is configured, posts to it.
#include "common/error.h"
#include "common/log.h"
#include "monitor/alerting.h"
#include "monitor/config.h"
#include "monitor/container_collector.h"
#include "monitor/exposition.h"
#include "monitor/host_collector.h"
#include "monitor/http_listener.h"
#include "monitor/kernel_log.h"
#include "monitor/status_command.h"
#include "monitor/status_http.h"
#include "runtime/version.h"

#include <malloc.h>
#include <signal.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>

namespace {

const char* kUsage =
    "usage: mogu-monitor [--config FILE] [--debug] [--log FILE] [COMMAND]\n"
    "  serve     (default) collect at the configured interval and serve GET /metrics,\n"
    "            the status page at / and its JSON at /api/status\n"
    "  metrics   collect once and print the metrics to stdout\n"
    "  status [--address HOST:PORT] [--json] [ID...]\n"
    "            the running monitor's status page (GET /api/status) for a terminal\n"
    "config: a TOML file (default /etc/mogu/monitor.toml; missing there means the defaults),\n"
    "        see docs/monitoring.md\n";

using namespace mogu;
using namespace mogu::monitor;

// One collection, rendered: what /metrics serves until the next one.
std::string collect(ContainerCollector& containers, HostCollector* host = nullptr, const KernelLog* kernel = nullptr, Alerting* alerting = nullptr) {
    auto start = std::chrono::steady_clock::now();
    MetricSet set;
    containers.collect(set);
    if (host) host->collect(set);
    if (kernel) kernel->add_metrics(set);
    set.add("mogu_monitor_build_info", MetricType::gauge, "Always 1; the labels say which mogu-monitor this is.", {{"version", kMoguVersion}},
            uint64_t{1});
    set.add("mogu_monitor_collection_duration_seconds", MetricType::gauge, "Wall time the last collection took.", {},
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    set.add("mogu_monitor_last_collection_timestamp_seconds", MetricType::gauge, "When the last collection ended, in Unix seconds.", {},
            static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9);
    if (alerting) alerting->after_collection(set, containers.vm_oom_kills());
    std::string text = set.render();
    text.shrink_to_fit();  // kept until the next collection: not twice its size
    return text;
}

int serve(const Config& config) {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    // Blocked before the listener's thread starts, so only sigtimedwait below sees them.
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    // Memory (bench/monitor.sh, 100 containers): one malloc arena for all threads, and blocks
    // of 64 kB or more (the rendered scrape, the status page) mapped and unmapped on their own
    // instead of fragmenting the heap.
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);

    ContainerCollector containers(config.roots, config.docker_roots);
    HostCollector host(config.host);
    Alerting alerting(config);  // before the kernel log: its thread calls alerting until stopped
    KernelLog kernel(config.host.kernel_log);
    kernel.subscribe([&alerting](const KernelEvent& e) {
        log::info("kernel: {}", describe(e));
        alerting.on_kernel_event(e);
    });
    kernel.start();
    StatusBoard board(std::chrono::duration<double>(config.interval).count());
    std::mutex mu;
    auto latest = std::make_shared<const std::string>(collect(containers, &host, &kernel, &alerting));
    board.set_alerts(alerting.status_source());
    board.update(containers.readings(), unix_now());
    HttpListener listener(
        config.listen,
        [&] {
            std::lock_guard<std::mutex> lock(mu);
            return latest;
        },
        status_pages(board));
    alerting.set_generator_url("http://" + listener.address().text() + "/metrics");
    log::info("mogu-monitor {}: serving http://{}/metrics, collecting every {} ms", kMoguVersion, listener.address().text(),
              config.interval.count());

    auto next = std::chrono::steady_clock::now() + config.interval;
    for (;;) {
        auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(next - std::chrono::steady_clock::now());
        if (wait.count() > 0) {
            struct timespec ts = {static_cast<time_t>(wait.count() / 1000000000), static_cast<long>(wait.count() % 1000000000)};
            int sig = sigtimedwait(&stop, nullptr, &ts);
            if (sig == SIGINT || sig == SIGTERM) {
                log::info("mogu-monitor: signal {}, stopping", sig);
                return 0;
            }
            if (sig < 0 && errno != EAGAIN) continue;  // EINTR
            if (sig < 0 && std::chrono::steady_clock::now() < next) continue;
        }
        auto text = std::make_shared<const std::string>(collect(containers, &host, &kernel, &alerting));
        board.update(containers.readings(), unix_now());
        {
            std::lock_guard<std::mutex> lock(mu);
            latest = std::move(text);
        }
        // A collection builds its MetricSet (~2 MB for 100 containers) and frees it; without this
        // glibc keeps the freed pages, and the resident size stays at the peak (bench/monitor.sh).
        malloc_trim(0);
        next += config.interval;
        // Behind by more than an interval (a slow collection, a suspended host): start afresh.
        if (next < std::chrono::steady_clock::now()) next = std::chrono::steady_clock::now() + config.interval;
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path = kDefaultConfigPath, log_path;
    bool config_given = false, debug = false;
    int i = 1;
    try {
        for (; i < argc && argv[i][0] == '-'; ++i) {
            std::string a = argv[i];
            if (a == "--config" && i + 1 < argc) {
                config_path = argv[++i];
                config_given = true;
            } else if (a == "--log" && i + 1 < argc) {
                log_path = argv[++i];
            } else if (a == "--debug") {
                debug = true;
            } else if (a == "--help" || a == "-h") {
                std::fputs(kUsage, stdout);
                return 0;
            } else if (a == "--version" || a == "-v") {
                std::printf("mogu-monitor %s\n", kMoguVersion);
                return 0;
            } else {
                throw UsageError("unknown option \"{}\"", a);
            }
        }
        log::configure(log_path, log::Format::text, debug);
        std::string cmd = i < argc ? argv[i++] : "serve";
        if (cmd == "status") {
            auto options = parse_status_args(std::vector<std::string>(argv + i, argv + argc));
            return run_status(load_config(config_path, config_given), options);
        }
        if (i < argc) throw UsageError("unexpected argument \"{}\"", argv[i]);
        if (cmd != "serve" && cmd != "metrics") throw UsageError("unknown command \"{}\"", cmd);
        auto config = load_config(config_path, config_given);
        if (cmd == "metrics") {
            ContainerCollector containers(config.roots, config.docker_roots);
            HostCollector host(config.host);  // the kernel log needs the daemon: it counts from its start
            std::fputs(collect(containers, &host).c_str(), stdout);
            return 0;
        }
        return serve(config);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "mogu-monitor: %s\n%s", e.what(), kUsage);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mogu-monitor: %s\n", e.what());
        return 1;
    }
}
