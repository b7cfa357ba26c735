// cgroups behind one interface. A Manager is detected from /proc/self/mountinfo (v1, v2 or
// hybrid: v1 controllers plus a cgroup2 mount, as on this project's hosts) and creates or opens
// a container's Cgroup. Drivers live in cgroup_v1.cpp, cgroup_v2.cpp, cgroup_hybrid.cpp.
#pragma once

#include "common/oci/spec.h"

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mogu::cgroups {

enum class Layout { v1, v2, hybrid };
const char* layout_name(Layout l);

enum class FreezerState { thawed, freezing, frozen };

// The resolved position of a container's cgroup: a path that starts with '/' and is
// relative to each hierarchy's root ("/default/abc"). resolve_path() builds it the way runc's
// cgroupfs driver reads linux.cgroupsPath, and rejects paths that try to escape with "..".
struct CgroupPath {
    std::string path;
};

// cgroupsPath from the spec; `own_cgroup` is the caller's cgroup in the hierarchy that
// relative paths hang under (read from /proc/self/cgroup by the caller). Empty cgroupsPath
// means "<own_cgroup>/<id>", as runc does.
CgroupPath resolve_path(const std::string& cgroups_path, const std::string& container_id, const std::string& own_cgroup);

struct MemoryStats {
    uint64_t usage = 0, max_usage = 0, limit = 0, failcnt = 0;
    uint64_t swap_usage = 0, swap_limit = 0;  // v1: memory.memsw.* (memory+swap); v2: memory.swap.* (swap alone)
    bool swap_counts_memory = false;          // true when swap_* are v1's memsw figures
    uint64_t kernel_usage = 0;
    uint64_t cache = 0;
    uint64_t oom_events = 0;   // v2 memory.events oom; v1 keeps no such count: oom_kill + under_oom (best effort)
    uint64_t oom_kill = 0;     // processes killed by the OOM killer
    std::map<std::string, uint64_t> raw;  // memory.stat as the kernel names it
};

struct CpuStats {
    uint64_t total_ns = 0, user_ns = 0, kernel_ns = 0;
    std::vector<uint64_t> percpu_ns;
    uint64_t periods = 0, throttled_periods = 0, throttled_ns = 0;
};

struct PidsStats {
    uint64_t current = 0;
    uint64_t limit = 0;  // 0 = unlimited ("max")
};

struct BlkioEntry {
    uint64_t major = 0, minor = 0;
    std::string op;  // "Read", "Write", "Sync", "Async", "Discard", "Total", or "" for plain counters
    uint64_t value = 0;
};

struct BlkioStats {
    std::vector<BlkioEntry> io_service_bytes, io_serviced;
};

struct HugetlbStats {
    uint64_t usage = 0, max_usage = 0, failcnt = 0;
};

// Pressure stall information (cgroup v2 *.pressure, kernel 4.20+ with PSI on): the share of
// time some (or all, "full") of the cgroup's tasks waited for a resource.
struct PressureLine {
    double avg10 = 0, avg60 = 0, avg300 = 0;  // percent
    uint64_t total_us = 0;                    // microseconds stalled, ever
};
struct Pressure {
    PressureLine some, full;
};

struct Stats {
    MemoryStats memory;
    CpuStats cpu;
    PidsStats pids;
    BlkioStats blkio;
    std::map<std::string, HugetlbStats> hugetlb;  // by page size, "2MB"
    // "cpu", "memory", "io": present where the cgroup has a v2 directory and the kernel PSI (also
    // on hybrid hosts, whose cgroup2 mount has the files whatever controllers it holds).
    std::map<std::string, Pressure> pressure;
};

// "some avg10=0.12 avg60=0.05 avg300=0.01 total=1234\nfull ..." (the full line is missing in
// cpu.pressure before 5.13). Malformed fields read as 0.
Pressure parse_pressure(const std::string& text);

// Tells a poller (the shim) that the OOM killer acted in a cgroup: fd() becomes readable (POLLIN).
// v1: an eventfd registered on memory.oom_control; v2: inotify on memory.events (and on the
// parent directory, for the cgroup's removal).
class OomWatcher {
public:
    virtual ~OomWatcher() = default;
    virtual int fd() const = 0;
    // Call when fd() is readable: the OOM events since the last call (v2: processes killed, from
    // memory.events oom_kill; v1: memory.oom_control notifications), 0 for a wakeup that was not
    // one (the cgroup going away, another memory.events counter moving, on v2 a sibling cgroup
    // being removed).
    virtual uint64_t consume() = 0;
    // True once consume() found the cgroup removed: nothing more will come.
    virtual bool cgroup_removed() const = 0;
};

// How much stats() reads. A summary is what `mogu top` shows for every container at every
// refresh: CPU time, memory used / limit and OOM kills, IO bytes, PIDs; no memory.stat, per-CPU
// or throttling figures, huge pages or pressure.
enum class StatsDetail { full, summary };

// One container's cgroup, possibly spread over several hierarchies. Owning: unless release()d,
// the destructor kills nothing but removes the directories it created (best effort, for the
// unwinding of a failed create).
class Cgroup {
public:
    virtual ~Cgroup() = default;

    // Moves a process (and, on v1, into every hierarchy) into this cgroup.
    virtual void add_process(pid_t pid) = 0;
    // Applies limits; on update, only the fields present are changed. Errors name the file and value.
    virtual void apply(const oci::Resources& resources) = 0;
    virtual void freeze(FreezerState target) = 0;  // thawed or frozen; waits until reached
    virtual FreezerState freezer_state() const = 0;
    virtual Stats stats(StatsDetail detail = StatsDetail::full) const = 0;
    // Every process in the cgroup and below it.
    virtual std::vector<pid_t> pids() const = 0;
    // Removes the directories (retrying EBUSY briefly while processes exit). Missing ones are fine.
    virtual void destroy() = 0;
    // Keep the cgroup on disk when this object goes away (create succeeded).
    virtual void release() = 0;
    // Absolute directories, keyed by controller name ("memory", "cpu", ..., "unified" for the v2 dir).
    virtual std::map<std::string, std::string> paths() const = 0;
    // The directory a cgroup namespace should be rooted at and that /proc/<pid>/cgroup shows.
    virtual const CgroupPath& path() const = 0;
    // Watches the memory controller for OOM kills (added for the shim's TaskOOM events).
    virtual std::unique_ptr<OomWatcher> watch_oom() const = 0;

    // Cheap placement of a new process. Writing another process's pid to cgroup.procs takes the
    // kernel's global threadgroup lock, whose writer waits for an RCU grace period (~10 ms per
    // container on v1 hosts). Instead a child is born into the v2 directory with
    // clone3(CLONE_INTO_CGROUP) and, single-threaded, moves itself into each v1 hierarchy by
    // writing "0" to "tasks", which the kernel serves without that lock.
    // The v2 directory ("" when the layout has none):
    virtual std::string v2_dir() const = 0;
    // Run by the (single-threaded) process being placed; no-op without v1 hierarchies.
    virtual void join_self_v1() = 0;
};

class Manager {
public:
    virtual ~Manager() = default;
    virtual Layout layout() const = 0;
    // Creates the directories (mkdir -p; an existing cgroup is joined, as runc does for shared
    // parents) and returns an owner that removes what it made on failure.
    virtual std::unique_ptr<Cgroup> create(const CgroupPath& path) = 0;
    // Opens an existing container's cgroup for later verbs (pause, update, stats, delete). Nothing
    // is checked here: a missing cgroup shows in the errors of later calls, and destroy() of one
    // that is gone succeeds.
    virtual std::unique_ptr<Cgroup> open(const CgroupPath& path) = 0;
    // The caller's own cgroup path in the hierarchy relative cgroupsPaths hang under.
    virtual std::string own_cgroup() const = 0;
};

// Reads /proc/self/mountinfo (or the given text, for tests) and picks the driver.
std::unique_ptr<Manager> detect();
std::unique_ptr<Manager> detect_from(const std::string& mountinfo, const std::string& proc_self_cgroup);

}  // namespace mogu::cgroups
