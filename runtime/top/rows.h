// What `mogu top` shows: one row per container from two samples (rates need two), sorted, as a
// table for a terminal or JSON for scripts.
#pragma once

#include "runtime/top/sample.h"

#include <optional>
#include <string>
#include <vector>

namespace mogu::runtime::top {

struct Row {
    std::string root, id, status;
    std::optional<double> cpu_percent;            // of one CPU (200 = two CPUs busy); none on a first look
    uint64_t memory_usage = 0, memory_limit = 0;  // limit 0: none
    std::optional<double> read_bps, write_bps;    // bytes per second
    uint64_t pids = 0, pids_limit = 0;
    std::optional<double> load1;                  // LXCFS's, where the container has the view
    uint64_t oom_kills = 0;
};

// `before` may be empty (the first look): rates are then unknown. A container in `now` only is
// new; one in `before` only is gone and has no row.
std::vector<Row> make_rows(const Sample& before, const Sample& now);

enum class SortKey { cpu, memory, io, pids, load, id };
// "cpu", "mem" (or "memory"), "io", "pids", "load", "id"; nullopt otherwise.
std::optional<SortKey> parse_sort_key(const std::string& name);
// Busiest first (by id for ties and for SortKey::id).
void sort_rows(std::vector<Row>& rows, SortKey key);

// A header line and one line per row, at most `width` columns wide.
std::string render_table(const std::vector<Row>& rows, size_t width);
// [{"id":..., "root":..., "status":..., "cpu_percent":..., ...}], null where unknown.
std::string render_json(const std::vector<Row>& rows);

// 1536 -> "1.5KiB": the units `docker stats` uses.
std::string human_bytes(double bytes);

}  // namespace mogu::runtime::top
