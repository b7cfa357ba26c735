// LXCFS views: the per-container /proc and /sys files LXCFS serves (meminfo, cpuinfo, stat,
// uptime, loadavg, diskstats, swaps, slabinfo, cpu/online), bound over the container's own so that
// free, top, uptime and friends tell the container's truth. LXCFS answers each read for the
// cgroup (and pid namespace) of the process that reads, so one mount serves every container.
//
// A container asks with the annotation io.mogu.lxcfs (true, false, required); the host default
// comes from `mogu --lxcfs` or the shim's options. What LXCFS serves is probed, never assumed.
#pragma once

#include "common/fd.h"

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mogu::runtime::lxcfs {

inline constexpr const char* kAnnotation = "io.mogu.lxcfs";
inline constexpr const char* kDefaultMountPoint = "/var/lib/lxcfs";

enum class Mode {
    off,       // the host's /proc
    on,        // the views when LXCFS runs; a warning and the host's /proc when it does not
    required,  // create fails when LXCFS does not run
};

// "true", "false" or "required"; nullopt for anything else (the caller names where it came from).
std::optional<Mode> parse_mode(const std::string& value);
const char* mode_name(Mode m);
// The container's annotation if it has one (a bad value is a SpecError naming it), else the
// host's default.
Mode mode_for(const std::map<std::string, std::string>& annotations, Mode host_default);

struct Views {
    std::string mount_point;         // where LXCFS is mounted on the host
    std::vector<std::string> files;  // relative to it, as in the container: "proc/meminfo", ...
};

// What the LXCFS mounted at `mount_point` serves now. nullopt, with the reason in `why`, when
// nothing usable is there: no mount, not FUSE, or a dead one ("Transport endpoint is not
// connected" after LXCFS died).
std::optional<Views> probe(const std::string& mount_point, std::string& why);

// probe(), remembered in cache_dir (the state root, file kProbeCacheName) for a minute per LXCFS
// mount: a restarted LXCFS is a new mount and is probed afresh.
inline constexpr const char* kProbeCacheName = "lxcfs@probe";  // '@' is never in a container id
std::optional<Views> probe_cached(const std::string& mount_point, const std::string& cache_dir, std::string& why);

// The views a container gets at create: probed (through the cache in cache_dir), or nothing
// (with the warning `on` asks for), or an error naming the mount point for `required`.
std::optional<Views> views_for_create(Mode mode, const std::string& mount_point, const std::string& cache_dir);

// In the container's init, after its /proc and /sys are mounted and before pivot_root: binds
// each view, read-only, over the container's file when that file is on the container's own proc
// or sysfs (a /proc that is not procfs, or a file the kernel lacks, is left alone). Returns the
// files bound. `opened` holds fds of view files the runtime opened for us (index in views.files),
// for an init in a user namespace that may not reach the mount point itself.
std::vector<std::string> bind_views(int root_fd, const Views& views, const std::map<size_t, int>& opened = {});

// A detached, read-only copy of one LXCFS file (open_tree + mount_setattr): a mount that belongs
// to no namespace yet, which move_mount() attaches where it is wanted, also inside another mount
// namespace (a plain bind from outside could not cross into it).
UniqueFd detached_view(const std::string& source);

// After LXCFS died or was restarted, a running container's views are stale ("Transport endpoint
// is not connected"). repair_views binds the files of the LXCFS mounted now over them, inside
// the container's mount namespace (found through its init), replacing the stale binds; the
// container keeps running. Returns how many files were re-bound. Throws naming what failed.
size_t repair_views(pid_t init, const Views& views);

// A container's own load average, as LXCFS computes it from the runnable tasks of its cgroup
// (sampled every 5 s), the same numbers /proc/loadavg shows inside.
struct LoadAverage {
    double avg1 = 0, avg5 = 0, avg15 = 0;
    uint64_t running = 0, tasks = 0;
};
// "0.52 0.31 0.12 2/37 1234"; nullopt when it does not read so.
std::optional<LoadAverage> parse_loadavg(const std::string& text);
// Read from outside the container: LXCFS answers for the pid namespace of the process that
// reads, so a child born in the container's pid namespace reads mount_point/proc/loadavg.
// nullopt when LXCFS does not answer (not running, no loadavg view), or not within timeout_ms
// (-1: no limit) when given: a hung LXCFS must not hang a caller that serves others (the shim).
std::optional<LoadAverage> read_load_average(pid_t init, const std::string& mount_point, int timeout_ms = -1);

}  // namespace mogu::runtime::lxcfs
