#include "monitor/kernel_log.h"

#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <system_error>

namespace mogu::monitor {
namespace {

constexpr int kRetryMs = 60000;

// The wall-clock time of `usec` after boot. printk stamps records with the scheduler clock, which
// runs like CLOCK_MONOTONIC (it stops during suspend, as dmesg -T's caveat says).
std::chrono::system_clock::time_point wall_time_of(uint64_t usec) {
    struct timespec real, mono;
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    int64_t now_real_us = static_cast<int64_t>(real.tv_sec) * 1000000 + real.tv_nsec / 1000;
    int64_t now_mono_us = static_cast<int64_t>(mono.tv_sec) * 1000000 + mono.tv_nsec / 1000;
    int64_t us = now_real_us - (now_mono_us - static_cast<int64_t>(usec));
    return std::chrono::system_clock::time_point(std::chrono::microseconds(us));
}

}  // namespace

KernelLog::KernelLog(std::string path, size_t ring_capacity) : path_(std::move(path)), capacity_(ring_capacity ? ring_capacity : 1) {
    for (auto k : kAllKernelEventKinds) counts_[k] = 0;
}

KernelLog::~KernelLog() { stop(); }

void KernelLog::subscribe(Subscriber s) { subscriber_ = std::move(s); }

void KernelLog::start() {
    if (thread_.joinable()) return;
    stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (stop_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    thread_ = std::thread([this] { run(); });
}

void KernelLog::stop() {
    if (!thread_.joinable()) return;
    uint64_t one = 1;
    if (write(stop_fd_, &one, sizeof one) < 0) { /* the eventfd cannot be full */ }
    thread_.join();
    close(stop_fd_);
    stop_fd_ = -1;
}

void KernelLog::warn_once(const std::string& what) {
    // One warning for the life of the monitor: an unreadable log stays unreadable, and a log that
    // overflows once will again under the same load.
    if (warned_) {
        log::debug("{}", what);
        return;
    }
    warned_ = true;
    log::warn("{}", what);
}

void KernelLog::run() {
    std::vector<char> buf(16384);  // a record is at most ~1 KiB of text plus its dictionary
    bool warned_lost = false;
    for (;;) {
        int fd = open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            int err = errno;
            warn_once(fmt::format("kernel log {}: cannot read it: {}; kernel events are not counted (retrying every minute)", path_,
                                  strerror(err)));
        } else {
            // From the end: older records (the boot, earlier kills) are not news.
            lseek(fd, 0, SEEK_END);
            {
                std::lock_guard<std::mutex> lock(mu_);
                readable_ = true;
            }
            log::debug("kernel log {}: reading from its end", path_);
            for (;;) {
                struct pollfd p[2] = {{fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
                if (poll(p, 2, -1) < 0 && errno != EINTR) break;
                if (p[1].revents) {
                    close(fd);
                    return;
                }
                ssize_t n = read(fd, buf.data(), buf.size());
                if (n > 0) {
                    feed(std::string_view(buf.data(), static_cast<size_t>(n)));
                    continue;
                }
                if (n == 0) {
                    // A regular file at its end (a test's stand-in for /dev/kmsg): look again soon.
                    struct pollfd s = {stop_fd_, POLLIN, 0};
                    if (poll(&s, 1, 200) > 0) {
                        close(fd);
                        return;
                    }
                    continue;
                }
                if (errno == EAGAIN || errno == EINTR) continue;
                if (errno == EPIPE) {
                    // The kernel overwrote records before we read them; the next read resumes at the
                    // oldest one left, and feed() counts the gap in sequence numbers.
                    if (!warned_lost) log::warn("kernel log {}: records were overwritten before they were read; counted in mogu_kernel_log_lost_records_total", path_);
                    warned_lost = true;
                    continue;
                }
                warn_once(fmt::format("kernel log {}: read: {}; kernel events are not counted (retrying every minute)", path_, strerror(errno)));
                break;
            }
            close(fd);
            std::lock_guard<std::mutex> lock(mu_);
            readable_ = false;
        }
        struct pollfd s = {stop_fd_, POLLIN, 0};
        if (poll(&s, 1, kRetryMs) > 0) return;
    }
}

void KernelLog::feed(std::string_view raw) {
    auto record = parse_kmsg_record(raw);
    if (!record) {
        log::debug("kernel log: not a record: {}", raw);
        return;
    }
    auto event = classifier_.classify(*record);
    if (event) event->time = wall_time_of(event->usec);
    {
        std::lock_guard<std::mutex> lock(mu_);
        ++records_;
        if (have_seq_ && record->seq > last_seq_ + 1) lost_ += record->seq - last_seq_ - 1;
        last_seq_ = record->seq;
        have_seq_ = true;
        if (event) {
            ++counts_[event->kind];
            ring_.push_back(*event);
            while (ring_.size() > capacity_) ring_.pop_front();
        }
    }
    if (event && subscriber_) subscriber_(*event);
}

std::vector<KernelEvent> KernelLog::recent() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {ring_.begin(), ring_.end()};
}

std::vector<KernelEvent> KernelLog::since(uint64_t seq) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<KernelEvent> out;
    for (const auto& e : ring_)
        if (e.seq > seq) out.push_back(e);
    return out;
}

void KernelLog::add_metrics(MetricSet& set) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [kind, n] : counts_)
        set.add("mogu_kernel_events_total", MetricType::counter,
                "Kernel log events by kind since the monitor started (OOM kills, hung tasks, lockups, I/O and filesystem errors, "
                "segfaults, dm-thin out of space).",
                {{"kind", kind_name(kind)}}, n);
    set.add("mogu_kernel_log_records_total", MetricType::counter, "Kernel log records read since the monitor started.", {}, records_);
    set.add("mogu_kernel_log_lost_records_total", MetricType::counter,
            "Kernel log records overwritten before the monitor could read them (gaps in their sequence numbers).", {}, lost_);
    set.add("mogu_kernel_log_up", MetricType::gauge, "1 while the kernel log (/dev/kmsg) is being read, 0 when it cannot be.", {},
            uint64_t{readable_ ? 1u : 0u});
}

}  // namespace mogu::monitor
