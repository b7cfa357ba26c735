#include "monitor/history.h"

#include <algorithm>

namespace mogu::monitor {
namespace {

// Per second between two readings of a counter; NaN when it went backwards (a container of the
// same name made again) or no time passed.
float rate(uint64_t before, uint64_t after, double seconds) {
    if (after < before || seconds <= 0) return NAN;
    return static_cast<float>(static_cast<double>(after - before) / seconds);
}

}  // namespace

double history_step(double interval) { return std::max(interval, kHistoryWindowSeconds / kHistoryPoints); }

size_t history_capacity(double step) {
    auto n = static_cast<size_t>(std::ceil(kHistoryWindowSeconds / step - 1e-9));
    return std::clamp<size_t>(n, 1, kHistoryPoints);
}

ContainerHistory::ContainerHistory(double step, size_t capacity) : step_(step), capacity_(std::clamp<size_t>(capacity, 1, kHistoryPoints)) {}

void ContainerHistory::push(const HistoryPoint& p) {
    ring_[head_] = p;
    head_ = (head_ + 1) % capacity_;
    count_ = std::min(count_ + 1, capacity_);
}

void ContainerHistory::record(const Reading& r) {
    if (have_latest_ && r.time <= latest_.time) return;  // not after the last one: ignored
    auto bucket = static_cast<int64_t>(std::floor(r.time / step_));
    if (!have_latest_) anchor_ = r;  // the first step's rates run from its first reading
    if (bucket != bucket_) {
        // A new step: the last reading of the step before anchors this step's rates.
        if (have_latest_) anchor_ = latest_;
        // Steps without a reading (the monitor stopped, the host slept) stay gaps.
        if (bucket_ >= 0) {
            int64_t gaps = std::min<int64_t>(bucket - bucket_ - 1, static_cast<int64_t>(capacity_));
            for (int64_t i = 0; i < gaps; ++i) push(HistoryPoint{});
        }
        push(HistoryPoint{});
        bucket_ = bucket;
    }
    latest_ = r;
    have_latest_ = true;
    HistoryPoint& p = ring_[(head_ + capacity_ - 1) % capacity_];
    p.memory_used = static_cast<float>(r.memory_used);
    p.pids = static_cast<float>(r.pids);
    p.load1 = r.load1 ? static_cast<float>(*r.load1) : NAN;
    if (anchor_ && r.time > anchor_->time) {
        double dt = r.time - anchor_->time;
        float cpu = rate(anchor_->cpu_ns, r.cpu_ns, dt);
        p.cpu_percent = std::isnan(cpu) ? NAN : cpu / 1e9f * 100.0f;
        p.io_bytes_per_second = rate(anchor_->io_bytes, r.io_bytes, dt);
    }
}

std::vector<HistoryPoint> ContainerHistory::points() const {
    std::vector<HistoryPoint> out;
    out.reserve(count_);
    for (size_t i = 0; i < count_; ++i) out.push_back(ring_[(head_ + capacity_ - count_ + i) % capacity_]);
    return out;
}

HistoryPoint ContainerHistory::newest() const {
    if (count_ == 0) return HistoryPoint{};
    return ring_[(head_ + capacity_ - 1) % capacity_];
}

HistoryPoint ContainerHistory::current() const {
    HistoryPoint p = newest();
    if (count_ < 2 || !anchor_ || latest_.time - anchor_->time >= step_ / 2) return p;
    const HistoryPoint& before = ring_[(head_ + capacity_ - 2) % capacity_];
    if (!std::isnan(before.cpu_percent)) p.cpu_percent = before.cpu_percent;
    if (!std::isnan(before.io_bytes_per_second)) p.io_bytes_per_second = before.io_bytes_per_second;
    return p;
}

History::History(double interval) : step_(history_step(interval)), capacity_(history_capacity(step_)) {}

void History::record(const std::string& key, const Reading& r) {
    auto it = rings_.find(key);
    if (it == rings_.end()) it = rings_.emplace(key, ContainerHistory(step_, capacity_)).first;
    it->second.record(r);
}

void History::keep_only(const std::set<std::string>& keys) {
    for (auto it = rings_.begin(); it != rings_.end();) {
        if (keys.count(it->first)) ++it;
        else it = rings_.erase(it);
    }
}

const ContainerHistory* History::find(const std::string& key) const {
    auto it = rings_.find(key);
    return it == rings_.end() ? nullptr : &it->second;
}

}  // namespace mogu::monitor
