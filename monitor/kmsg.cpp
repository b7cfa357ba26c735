#include "monitor/kmsg.h"

#include "common/strings.h"

#include <fmt/core.h>

namespace mogu::monitor {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

std::optional<pid_t> parse_pid(std::string_view s) {
    auto v = parse_uint(s);
    if (!v || *v == 0 || *v > 0x3fffffff) return std::nullopt;
    return static_cast<pid_t>(*v);
}

// "comm[1234]" ending at `end` (the index of ']'): fills comm and pid.
bool comm_and_pid_before(std::string_view m, size_t end, KernelEvent& e) {
    auto open = m.rfind('[', end);
    if (open == std::string_view::npos || open == 0) return false;
    auto pid = parse_pid(m.substr(open + 1, end - open - 1));
    if (!pid) return false;
    size_t start = m.rfind(' ', open);
    start = start == std::string_view::npos ? 0 : start + 1;
    e.comm = std::string(m.substr(start, open - start));
    e.pid = *pid;
    return true;
}

// What follows `prefix` up to the first of `stops` (or the end).
std::string field_after(std::string_view m, std::string_view prefix, std::string_view stops) {
    auto at = m.find(prefix);
    if (at == std::string_view::npos) return "";
    auto rest = m.substr(at + prefix.size());
    return std::string(rest.substr(0, rest.find_first_of(stops)));
}

}  // namespace

const char* kind_name(KernelEventKind kind) {
    switch (kind) {
        case KernelEventKind::oom_kill: return "oom_kill";
        case KernelEventKind::hung_task: return "hung_task";
        case KernelEventKind::soft_lockup: return "soft_lockup";
        case KernelEventKind::hard_lockup: return "hard_lockup";
        case KernelEventKind::io_error: return "io_error";
        case KernelEventKind::fs_error: return "fs_error";
        case KernelEventKind::segfault: return "segfault";
        case KernelEventKind::thin_out_of_data: return "thin_out_of_data_space";
        case KernelEventKind::thin_out_of_metadata: return "thin_out_of_metadata_space";
    }
    return "unknown";
}

std::string describe(const KernelEvent& e) {
    std::string out = kind_name(e.kind);
    std::string sep = ": ";
    if (e.pid) {
        out += fmt::format("{}pid {}", sep, e.pid);
        sep = ", ";
    }
    if (!e.comm.empty()) {
        out += e.pid ? fmt::format(" ({})", e.comm) : fmt::format("{}{}", sep, e.comm);
        sep = ", ";
    }
    if (!e.cgroup.empty()) {
        out += fmt::format("{}memory cgroup {}", sep, e.cgroup);
        sep = ", ";
    }
    if (!e.device.empty()) {
        out += fmt::format("{}device {}", sep, e.device);
        sep = ", ";
    }
    if (!e.from_kernel()) out += fmt::format("{}written by a process, not the kernel", sep);
    return out + fmt::format(" [{}]", e.message);
}

std::optional<KernelEvent> KernelEventClassifier::classify(const KmsgRecord& r) {
    std::string_view m = r.message;
    KernelEvent e;
    e.seq = r.seq;
    e.usec = r.usec;
    e.facility = r.facility;
    e.level = r.level;
    e.message = r.message;

    // oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/x,task_memcg=/x,task=dd,pid=1234,uid=0
    if (auto s = parse_oom_kill_summary(m)) {
        pending_oom_ = std::move(s);
        return std::nullopt;
    }
    // Out of memory: Killed process 1234 (dd) total-vm:...   (Memory cgroup out of memory: ... in a memcg)
    // 4.x: "Killed process 1234 (dd), UID 0, total-vm:..."; 3.x: "Kill process 1234 (dd) score 1 or sacrifice child"
    if (auto at = m.find("Killed process "); at != std::string_view::npos && contains(m.substr(0, at), "ut of memory")) {
        e.kind = KernelEventKind::oom_kill;
        auto rest = m.substr(at + 15);
        auto sp = rest.find(' ');
        e.pid = parse_pid(rest.substr(0, sp)).value_or(0);
        if (sp != std::string_view::npos && sp + 1 < rest.size() && rest[sp + 1] == '(') {
            auto name = rest.substr(sp + 2);
            // The comm may hold ')' and spaces: end at ") total-vm" or "), UID" when there.
            size_t close = name.find(") total-vm");
            if (close == std::string_view::npos) close = name.find("), UID");
            if (close == std::string_view::npos) close = name.rfind(')');
            e.comm = std::string(name.substr(0, close));
        }
        if (pending_oom_ && pending_oom_->pid == e.pid) {
            e.cgroup = pending_oom_->cgroup;
            if (e.comm.empty()) e.comm = pending_oom_->task;
        }
        pending_oom_.reset();
        return e;
    }
    // INFO: task kworker/u4:2:123 blocked for more than 120 seconds.
    if (starts_with(m, "INFO: task ") && contains(m, " blocked for more than ")) {
        e.kind = KernelEventKind::hung_task;
        auto who = m.substr(11, m.find(" blocked for more than ") - 11);
        auto colon = who.rfind(':');
        if (colon != std::string_view::npos) {
            e.comm = std::string(who.substr(0, colon));
            e.pid = parse_pid(who.substr(colon + 1)).value_or(0);
        }
        return e;
    }
    // watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [stress:1234]
    if (contains(m, "BUG: soft lockup")) {
        e.kind = KernelEventKind::soft_lockup;
        auto open = m.rfind('[');
        auto colon = m.rfind(':');
        if (open != std::string_view::npos && colon != std::string_view::npos && colon > open && m.back() == ']') {
            e.comm = std::string(m.substr(open + 1, colon - open - 1));
            e.pid = parse_pid(m.substr(colon + 1, m.size() - colon - 2)).value_or(0);
        }
        return e;
    }
    if (contains(m, "hard LOCKUP")) {
        e.kind = KernelEventKind::hard_lockup;
        return e;
    }
    // Filesystems before block I/O: "EXT4-fs error (device sda1): ...", "XFS (dm-0): metadata I/O error ..."
    if ((starts_with(m, "EXT4-fs error") || starts_with(m, "EXT3-fs error") || starts_with(m, "EXT2-fs error")) ||
        starts_with(m, "BTRFS error (device ") || starts_with(m, "BTRFS critical (device ")) {
        e.kind = KernelEventKind::fs_error;
        e.device = field_after(m, "(device ", "):");
        auto comm = field_after(m, ": comm ", ":");
        if (!comm.empty()) e.comm = comm;
        return e;
    }
    if (starts_with(m, "XFS (") && (contains(m, "orruption") || contains(m, "Internal error") || contains(m, "I/O error") ||
                                    contains(m, "I/O Error") || contains(m, "shut down"))) {
        e.kind = KernelEventKind::fs_error;
        e.device = field_after(m, "XFS (", ")");
        return e;
    }
    // blk_print_req_error: "I/O error, dev sda, sector 2048 op 0x1:(WRITE) ..." (also "critical medium
    // error, dev ...", "timeout error, dev ..."), and the buffer layer's "Buffer I/O error on dev sda1, ..."
    if ((contains(m, " error, dev ") && contains(m, ", sector ")) || starts_with(m, "I/O error, dev ")) {
        e.kind = KernelEventKind::io_error;
        e.device = field_after(m, "error, dev ", ",");
        return e;
    }
    if (contains(m, "Buffer I/O error on dev")) {
        e.kind = KernelEventKind::io_error;
        e.device = field_after(m, "Buffer I/O error on dev ", ",");
        return e;
    }
    // a.out[1234]: segfault at 0 ip 000055d5c8c1b129 sp 00007ffd5a0f6f00 error 6 in a.out[55d5c8c1b000+1000]
    if (auto at = m.find("]: segfault at "); at != std::string_view::npos) {
        e.kind = KernelEventKind::segfault;
        comm_and_pid_before(m, at, e);
        return e;
    }
    // traps: criu[9409] general protection fault ip:55b5a56e5d2d sp:7ffcaf5112c8 error:402 in criu[...]
    if (starts_with(m, "traps: ") && contains(m, "] general protection fault")) {
        e.kind = KernelEventKind::segfault;
        comm_and_pid_before(m, m.find("] general protection fault"), e);
        return e;
    }
    // device-mapper: thin: 253:2: switching pool to out-of-data-space (queue IO) mode
    if (starts_with(m, "device-mapper: thin: ")) {
        auto dev = m.substr(21);
        auto colon_space = dev.find(": ");
        e.device = std::string(dev.substr(0, colon_space));
        if (contains(m, "out-of-data-space")) {
            e.kind = KernelEventKind::thin_out_of_data;
            return e;
        }
        // "no free metadata space available.", "metadata operation '...' failed: error = -28" (ENOSPC)
        if (contains(m, "metadata space") || (contains(m, "metadata operation") && contains(m, "error = -28"))) {
            e.kind = KernelEventKind::thin_out_of_metadata;
            return e;
        }
        return std::nullopt;
    }
    if (starts_with(m, "device-mapper: space map metadata: unable to allocate new metadata block")) {
        e.kind = KernelEventKind::thin_out_of_metadata;
        return e;
    }
    return std::nullopt;
}

}  // namespace mogu::monitor
