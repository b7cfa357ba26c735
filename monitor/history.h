// The last 15 minutes of each container's key series (CPU %, memory used and limit, IO rate,
// PIDs, load), for the status page's sparklines. Fixed memory per container: a ring of
// kHistoryPoints points, one per `step` (the collection interval, but no finer than 10 s; a
// faster collector overwrites the newest point until its step is over). Containers that were not
// in the last collection are dropped with their series.
//
// Times are seconds of a monotonic clock the caller passes in (the tests pass their own).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mogu::monitor {

inline constexpr double kHistoryWindowSeconds = 15 * 60;
inline constexpr size_t kHistoryPoints = 90;  // 15 minutes at one point per 10 s

// One collection's raw figures of one container: counters as the cgroup gives them.
struct Reading {
    double time = 0;            // monotonic seconds
    uint64_t cpu_ns = 0;        // CPU time used, ever
    uint64_t memory_used = 0;   // bytes charged (usage_in_bytes / memory.current)
    uint64_t memory_limit = 0;  // bytes, 0 = none
    uint64_t io_bytes = 0;      // bytes read + written on block devices, ever
    uint64_t pids = 0, pids_limit = 0;  // limit 0 = none
    std::optional<double> load1;        // only with LXCFS's loadavg view
};

// One point of the series. NaN where there is no value (the first point has no rate; load
// without LXCFS). float: 90 points of 5 series are 1.8 kB per container.
struct HistoryPoint {
    float cpu_percent = NAN;  // of one CPU, as `docker stats` and `top` count it
    float memory_used = NAN;  // bytes
    float io_bytes_per_second = NAN;
    float pids = NAN;
    float load1 = NAN;
};

// One container's ring.
class ContainerHistory {
public:
    // `capacity`: points kept, at most kHistoryPoints.
    ContainerHistory(double step, size_t capacity);

    void record(const Reading& r);

    // Oldest first, at most points() of them.
    std::vector<HistoryPoint> points() const;
    size_t size() const { return count_; }
    const Reading& latest() const { return latest_; }
    // The newest point; all NaN before the first reading.
    HistoryPoint newest() const;
    // What to show as "now": the newest point, but while its rates span less than half a step
    // (a fast collector just began it), the rates of the point before, so the figure does not
    // jump between 0 and a peak with every collection.
    HistoryPoint current() const;
    double step() const { return step_; }

private:
    void push(const HistoryPoint& p);

    double step_;
    size_t capacity_;
    std::array<HistoryPoint, kHistoryPoints> ring_{};
    size_t head_ = 0;   // where the next new point goes
    size_t count_ = 0;  // points in use
    int64_t bucket_ = -1;  // the step the newest point belongs to
    // Rates of the newest point run from `anchor_` (the last reading of the step before; in the
    // first step, the first reading) to `latest_`.
    std::optional<Reading> anchor_;
    Reading latest_;
    bool have_latest_ = false;
};

// Every container's ring, by a key that names the container uniquely (state root + id).
class History {
public:
    // `interval`: the collection interval, seconds. Points are max(interval, 10 s) apart.
    explicit History(double interval);

    void record(const std::string& key, const Reading& r);
    // Drops every container not named: called after each collection with the ones it saw.
    void keep_only(const std::set<std::string>& keys);

    const ContainerHistory* find(const std::string& key) const;
    size_t containers() const { return rings_.size(); }
    double step() const { return step_; }
    size_t capacity() const { return capacity_; }

private:
    double step_;
    size_t capacity_;
    std::map<std::string, ContainerHistory> rings_;
};

// Points that fit 15 minutes at `step` seconds apart, at most kHistoryPoints.
size_t history_capacity(double step);
// The distance between points for a collection interval.
double history_step(double interval);

}  // namespace mogu::monitor
