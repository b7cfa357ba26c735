#include "runtime/node/thin_pool_check.h"

#include "common/strings.h"

#include <fmt/core.h>

#include <algorithm>

namespace mogu::node {
namespace {

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    for (auto& w : split(trim(s), ' '))
        if (!w.empty()) out.push_back(w);
    return out;
}

bool fraction(const std::string& v, uint64_t& used, uint64_t& total) {
    auto slash = v.find('/');
    if (slash == std::string::npos) return false;
    auto u = parse_uint(std::string_view(v).substr(0, slash)), t = parse_uint(std::string_view(v).substr(slash + 1));
    if (!u || !t || *t == 0) return false;
    used = *u;
    total = *t;
    return true;
}

unsigned percent(uint64_t used, uint64_t total) { return total ? static_cast<unsigned>(used * 100 / total) : 0; }

}  // namespace

void evaluate_thin_pool(const ThinPoolState& p, Report& r) {
    const std::string area = "storage";
    const std::string n = "thin pool " + p.name;
    auto t = words(p.table), s = words(p.status);
    auto block_sectors = t.size() >= 4 ? parse_uint(t[2]) : std::nullopt;
    if (!block_sectors || *block_sectors == 0) {
        r.fail(area, n, fmt::format("unexpected thin-pool table \"{}\"", p.table), "check the pool with dmsetup table " + p.name);
        return;
    }
    if (s.size() == 1 && s[0] == "Fail") {
        r.fail(area, n + " mode", "the pool has failed (status \"Fail\"): every thin device returns I/O errors",
               "stop mogu-snapshotter, deactivate the pool and repair its metadata with thin_check/thin_repair");
        return;
    }
    uint64_t used_meta = 0, total_meta = 0, used_data = 0, total_data = 0;
    if (s.size() < 5 || !fraction(s[1], used_meta, total_meta) || !fraction(s[2], used_data, total_data)) {
        r.fail(area, n, fmt::format("unexpected thin-pool status \"{}\"", p.status), "check the pool with dmsetup status " + p.name);
        return;
    }

    // Features follow the low-water mark as "<count> <feature>...".
    bool ignore_discard = std::find(t.begin() + 4, t.end(), "ignore_discard") != t.end();
    if (ignore_discard) r.ok(area, n + " ignore_discard", "the pool ignores discards: removing a device is a metadata operation");
    else
        r.warn(area, n + " ignore_discard",
               "the pool passes discards down: removing a container's device issues discards that stall the pool",
               "recreate the pool with the ignore_discard feature (mogu-snapshotter pool create does)");

    const std::string& mode = s[4];
    bool needs_check = std::find(s.begin(), s.end(), "needs_check") != s.end();
    if (mode != "rw" || needs_check)
        r.fail(area, n + " mode", fmt::format("the pool is {}{}: new snapshots fail", mode, needs_check ? " and flagged needs_check" : ""),
               "free space (out_of_data_space) or stop the snapshotter and run thin_check on the metadata device");
    else r.ok(area, n + " mode", "rw");

    // Over-provisioned when either the active devices (what the kernel knows) or what the
    // snapshotter's database commits (inactive devices too) exceed the data device.
    uint64_t data_bytes = total_data * *block_sectors * 512, active_bytes = p.provisioned_sectors * 512;
    std::string seen = fmt::format("{} active thin device(s) of {} MiB", p.thin_devices, active_bytes >> 20);
    if (p.committed_bytes)
        seen += fmt::format(", {} device(s) of {} MiB in the snapshotter's database", p.committed_devices, *p.committed_bytes >> 20);
    uint64_t most = std::max(active_bytes, p.committed_bytes.value_or(0));
    if (most > data_bytes)
        r.fail(area, n + " provisioning",
               fmt::format("{} on {} MiB of data: over-provisioned, a full pool fails every container's writes", seen, data_bytes >> 20),
               "remove devices or grow the data device; mogu-snapshotter never over-provisions, so something else made them");
    else r.ok(area, n + " provisioning", fmt::format("{} on {} MiB of data", seen, data_bytes >> 20));

    unsigned data_pct = percent(used_data, total_data), meta_pct = percent(used_meta, total_meta);
    unsigned lwm = p.low_water_mark_percent;
    auto use_line = [&](const char* what, unsigned pct) {
        std::string name = fmt::format("{} {} use", n, what);
        std::string detail = fmt::format("{}% used, low-water mark {}%", pct, lwm);
        if (pct >= lwm) r.fail(area, name, detail + ": the snapshotter refuses new snapshots", "remove unused images and snapshots, or grow the pool");
        else if (pct + 10 >= lwm) r.warn(area, name, detail + ": close to it", "remove unused images and snapshots, or grow the pool");
        else r.ok(area, name, detail);
    };
    use_line("data", data_pct);
    use_line("metadata", meta_pct);
}

}  // namespace mogu::node
