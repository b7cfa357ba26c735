// The host's /proc files, parsed: pure functions over the text, so the unit tests feed them real
// contents. The collector (host_collector.*) reads the files and turns these into series.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mogu::monitor {

// /proc/loadavg: "0.52 0.58 0.59 3/1024 123456". The fourth field's second half is every task
// (thread) the kernel has, which is what kernel.threads-max limits.
struct LoadAvg {
    double load1 = 0, load5 = 0, load15 = 0;
    uint64_t runnable = 0, threads = 0;
};
std::optional<LoadAvg> parse_loadavg(std::string_view text);

// /proc/sys/fs/file-nr: "allocated unused max" (unused is always 0 since 2.6).
struct FileNr {
    uint64_t allocated = 0, unused = 0, max = 0;
};
std::optional<FileNr> parse_file_nr(std::string_view text);

// /proc/meminfo, in file order. "MemTotal: 16 kB" is 16384 bytes (bytes = true); fields without a
// unit (HugePages_Total) are counts. node-exporter's names: "Active(anon)" becomes "Active_anon".
struct MeminfoField {
    std::string name;  // as node-exporter spells it
    uint64_t value = 0;
    bool bytes = false;
};
std::vector<MeminfoField> parse_meminfo(std::string_view text);
// A /proc/meminfo field name as Prometheus wants metric names: "MemAvailable" -> "mem_available",
// "HugePages_Total" -> "huge_pages_total", "Active_anon" -> "active_anon", "DirectMap4k" -> "direct_map4k".
std::string snake_case(std::string_view field);

// /proc/net/sockstat and sockstat6: "TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1" -> [TCP][inuse] = 5.
using Sockstat = std::map<std::string, std::map<std::string, uint64_t>>;
Sockstat parse_sockstat(std::string_view text);

// /proc/self/mountinfo, the fields the filesystem series need (octal escapes such as \040 decoded).
struct MountEntry {
    uint64_t major = 0, minor = 0;
    std::string mountpoint, fstype, source;
};
std::vector<MountEntry> parse_mountinfo(std::string_view text);
// The mount a path lives on: the longest mount point that holds it, the device's own mount
// preferred (a bind mount elsewhere shares the device), the last mounted where several stack.
// `path` must be absolute and canonical. nullptr when nothing matches.
const MountEntry* mount_of(const std::vector<MountEntry>& mounts, const std::string& path, uint64_t major, uint64_t minor);

// The start time of a process, in clock ticks after boot: /proc/PID/stat's 22nd field (the
// comm in parentheses may hold spaces and parentheses; the fields start after the last ')').
std::optional<uint64_t> parse_stat_start_ticks(std::string_view stat);
// /proc/stat's "btime 1700000000": when the host booted, Unix seconds.
std::optional<uint64_t> parse_boot_time(std::string_view proc_stat);

}  // namespace mogu::monitor
