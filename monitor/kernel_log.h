// The kernel log, followed from /dev/kmsg by a thread of its own: events (OOM kills, hung tasks,
// lockups, I/O and filesystem errors, segfaults, dm-thin out of space) are counted by kind, kept
// in a small ring, and handed to a subscriber as they are read.
//
// It starts at the END of the log: what the kernel logged before the monitor started (boot
// messages, yesterday's OOM kills) is not reported as new. Messages the kernel overwrote before
// they were read (EPIPE) are counted as lost; an unreadable log is one warning, then retried
// quietly every minute.
//
// For the alerting step:
//   KernelLog log("/dev/kmsg");
//   log.subscribe([](const KernelEvent& e) { ... });   // called on the reader thread, in order
//   log.start();
//   for (auto& e : log.since(last_seq)) ...            // or poll the ring from another thread
#pragma once

#include "monitor/exposition.h"
#include "monitor/kmsg.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mogu::monitor {

class KernelLog {
public:
    using Subscriber = std::function<void(const KernelEvent&)>;

    explicit KernelLog(std::string path = "/dev/kmsg", size_t ring_capacity = 64);
    ~KernelLog();  // stops the thread
    KernelLog(const KernelLog&) = delete;
    KernelLog& operator=(const KernelLog&) = delete;

    // Set before start(). Called on the reader thread for every event, without the ring's lock
    // held; it must not block for long (the kernel keeps logging meanwhile).
    void subscribe(Subscriber s);
    void start();
    void stop();

    // The events still in the ring, oldest first; since(seq): those after record seq.
    std::vector<KernelEvent> recent() const;
    std::vector<KernelEvent> since(uint64_t seq) const;

    // mogu_kernel_events_total{kind} (every kind, zeros included), records read, lost, and
    // whether the log is being read.
    void add_metrics(MetricSet& set) const;

    // One raw record, as a read of /dev/kmsg returns it: parsed, classified, counted. The reader
    // thread calls it; tests may call it without start().
    void feed(std::string_view raw);

private:
    void run();
    void warn_once(const std::string& what);

    std::string path_;
    size_t capacity_;
    Subscriber subscriber_;
    KernelEventClassifier classifier_;  // reader thread only
    int stop_fd_ = -1;                  // eventfd: wakes the reader to stop
    std::thread thread_;

    mutable std::mutex mu_;
    std::deque<KernelEvent> ring_;
    std::map<KernelEventKind, uint64_t> counts_;
    uint64_t records_ = 0, lost_ = 0, last_seq_ = 0;
    bool have_seq_ = false;
    bool readable_ = false;
    bool warned_ = false;
};

}  // namespace mogu::monitor
