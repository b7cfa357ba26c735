// /dev/kmsg records as the kernel (6.x) writes them, and the events picked out of them.
#include "monitor/kernel_log.h"
#include "monitor/kmsg.h"

#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace mogu;
using namespace mogu::monitor;

namespace {

// What reads of /dev/kmsg returned during a real memory-cgroup OOM kill on this host
// (monitor_host.bats's container; the call trace and the memory dump between these records are
// left out, they are not events).
const char* kOomRecords[] = {
    "4,3865,59950481906,-;sh invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n",
    "4,3866,59950481920,-;CPU: 1 UID: 0 PID: 28616 Comm: sh Not tainted 6.18.44-fc-v1272 #1 PREEMPT(none) \n",
    "6,3941,59950482157,-;[  28616]     0 28616     6713     4404     4040      364         0    81920        0             0 sh\n",
    "6,3942,59950482161,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=t1-28563,mems_allowed=0,"
    "oom_memcg=/mogu-test/t1-28563,task_memcg=/mogu-test/t1-28563,task=sh,pid=28616,uid=0\n",
    "3,3943,59950482176,-;Memory cgroup out of memory: Killed process 28616 (sh) total-vm:26852kB, anon-rss:16160kB, "
    "file-rss:1456kB, shmem-rss:0kB, UID:0 pgtables:80kB oom_score_adj:0\n",
};

KernelEvent only_event(const std::vector<std::string>& records) {
    KernelEventClassifier c;
    std::vector<KernelEvent> out;
    for (const auto& raw : records) {
        auto r = parse_kmsg_record(raw);
        cr_assert(r.has_value(), "not parsed: %s", raw.c_str());
        if (auto e = c.classify(*r)) out.push_back(*e);
    }
    cr_assert_eq(out.size(), 1u, "%zu events from %zu records", out.size(), records.size());
    return out[0];
}

KernelEvent event_of(const std::string& message) { return only_event({"3,1,100,-;" + message + "\n"}); }

bool no_event(const std::string& message) {
    KernelEventClassifier c;
    auto r = parse_kmsg_record("6,1,100,-;" + message + "\n");
    return r && !c.classify(*r);
}

}  // namespace

Test(kmsg_record, header_fields_message_and_dictionary) {
    auto r = parse_kmsg_record("6,339,5140900,-;NET: Registered protocol family 10\n SUBSYSTEM=net\n DEVICE=+net:lo\n");
    cr_assert(r.has_value());
    cr_assert_eq(r->facility, 0);
    cr_assert_eq(r->level, 6);
    cr_assert_eq(r->seq, 339u);
    cr_assert_eq(r->usec, 5140900u);
    cr_assert_eq(r->flags, '-');
    cr_assert_eq(r->message, "NET: Registered protocol family 10");
    cr_assert_eq(r->dict.size(), 2u);
    cr_assert_eq(r->dict[0].first, "SUBSYSTEM");
    cr_assert_eq(r->dict[1].second, "+net:lo");
}

Test(kmsg_record, a_line_written_by_root_has_the_user_facility) {
    // What `echo '<3>hello' > /dev/kmsg` gives back here: facility 1 (user), whatever was asked.
    auto r = parse_kmsg_record("11,3772,59378302701,-;mogu-test prio3\n");
    cr_assert(r && r->facility == 1 && r->level == 3);
    cr_assert_eq(r->message, "mogu-test prio3");
}

Test(kmsg_record, extra_header_fields_semicolons_and_escapes_in_the_message) {
    auto r = parse_kmsg_record("4,77,12,c,caller=T123;a;b \\x1b[0m\n");
    cr_assert(r.has_value());
    cr_assert_eq(r->flags, 'c');
    cr_assert_eq(r->message, "a;b \\x1b[0m");
    // No trailing newline (a truncated read) still parses.
    cr_assert(parse_kmsg_record("6,1,2,-;x").has_value());
}

Test(kmsg_record, refuses_what_is_not_a_record) {
    cr_assert(!parse_kmsg_record("").has_value());
    cr_assert(!parse_kmsg_record("hello\n").has_value());
    cr_assert(!parse_kmsg_record("6,1,2;x\n").has_value());
    cr_assert(!parse_kmsg_record("a,1,2,-;x\n").has_value());
    cr_assert(!parse_kmsg_record("6,-1,2,-;x\n").has_value());
    cr_assert(!parse_kmsg_record("6,1,2,--;x\n").has_value());
}

Test(kernel_events, oom_kill_names_the_process_and_its_memory_cgroup) {
    auto e = only_event({kOomRecords[0], kOomRecords[1], kOomRecords[2], kOomRecords[3], kOomRecords[4]});
    cr_assert_eq(e.kind, KernelEventKind::oom_kill);
    cr_assert_eq(e.pid, 28616);
    cr_assert_eq(e.comm, "sh");
    cr_assert_eq(e.cgroup, "/mogu-test/t1-28563");
    cr_assert_eq(e.seq, 3943u);
    cr_assert(e.from_kernel());
    cr_assert_eq(std::string(kind_name(e.kind)), "oom_kill");
}

Test(kernel_events, global_oom_kill_and_a_comm_with_spaces) {
    auto e = only_event({"6,10,1,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
                         "task_memcg=/system.slice/x.service,task=Web Content,pid=4321,uid=1000\n",
                         "3,11,2,-;Out of memory: Killed process 4321 (Web Content) total-vm:2510420kB, anon-rss:1021860kB, "
                         "file-rss:0kB, shmem-rss:2140kB, UID:1000 pgtables:4060kB oom_score_adj:0\n"});
    cr_assert_eq(e.pid, 4321);
    cr_assert_eq(e.comm, "Web Content");
    cr_assert_eq(e.cgroup, "/system.slice/x.service");
}

Test(kernel_events, an_oom_summary_of_another_pid_lends_no_cgroup) {
    auto e = only_event({"6,10,1,-;oom-kill:constraint=CONSTRAINT_MEMCG,task_memcg=/a,task=x,pid=1,uid=0\n",
                         "3,11,2,-;Memory cgroup out of memory: Killed process 2 (y) total-vm:1kB, anon-rss:1kB\n"});
    cr_assert_eq(e.pid, 2);
    cr_assert_eq(e.cgroup, "");
    // The oom_reaper's follow-up is not a second kill.
    cr_assert(no_event("oom_reaper: reaped process 30912 (sh), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"));
}

Test(kernel_events, hung_task) {
    auto e = event_of("INFO: task kworker/u4:2:123 blocked for more than 122 seconds.");
    cr_assert_eq(e.kind, KernelEventKind::hung_task);
    cr_assert_eq(e.comm, "kworker/u4:2");
    cr_assert_eq(e.pid, 123);
    // Its companion lines are not events.
    cr_assert(no_event("      Not tainted 6.1.0-27-amd64 #1 Debian 6.1.115-1"));
    cr_assert(no_event("\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message."));
}

Test(kernel_events, soft_and_hard_lockups) {
    auto e = event_of("watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [stress-ng:4567]");
    cr_assert_eq(e.kind, KernelEventKind::soft_lockup);
    cr_assert_eq(e.comm, "stress-ng");
    cr_assert_eq(e.pid, 4567);
    cr_assert_eq(event_of("Watchdog detected hard LOCKUP on cpu 3").kind, KernelEventKind::hard_lockup);
}

Test(kernel_events, block_io_errors_with_their_device) {
    auto e = event_of("I/O error, dev sda, sector 2048 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 2");
    cr_assert_eq(e.kind, KernelEventKind::io_error);
    cr_assert_eq(e.device, "sda");
    cr_assert_eq(event_of("blk_update_request: I/O error, dev loop0, sector 0 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0").device, "loop0");
    cr_assert_eq(event_of("critical medium error, dev nvme0n1, sector 1234 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0").device, "nvme0n1");
    auto b = event_of("Buffer I/O error on dev dm-3, logical block 0, async page read");
    cr_assert_eq(b.kind, KernelEventKind::io_error);
    cr_assert_eq(b.device, "dm-3");
}

Test(kernel_events, filesystem_errors_before_io_errors) {
    auto e = event_of("EXT4-fs error (device dm-3): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0");
    cr_assert_eq(e.kind, KernelEventKind::fs_error);
    cr_assert_eq(e.device, "dm-3");
    cr_assert_eq(e.comm, "ls");
    auto x = event_of("XFS (sdb1): metadata I/O error in \"xfs_imap_to_bp+0x5c/0xa0 [xfs]\" at daddr 0x80 len 32 error 5");
    cr_assert_eq(x.kind, KernelEventKind::fs_error);
    cr_assert_eq(x.device, "sdb1");
    cr_assert_eq(event_of("XFS (dm-0): Corruption detected. Unmount and run xfs_repair").kind, KernelEventKind::fs_error);
    cr_assert_eq(event_of("BTRFS error (device vdb): bdev /dev/vdb errs: wr 1, rd 0, flush 0, corrupt 0, gen 0").kind, KernelEventKind::fs_error);
    // Mount chatter is not an error.
    cr_assert(no_event("EXT4-fs (dm-3): mounted filesystem 0b6e1a2f-3c1d-4b5a-9f0e-2d3c4b5a6f70 r/w with ordered data mode. Quota mode: none."));
    cr_assert(no_event("XFS (sdb1): Mounting V5 Filesystem"));
}

Test(kernel_events, segfaults_and_general_protection_faults) {
    auto e = event_of("memhog[31337]: segfault at 0 ip 000055d5c8c1b129 sp 00007ffd5a0f6f00 error 6 in memhog[55d5c8c1b000+1000] "
                      "likely on CPU 0 (core 0, socket 0)");
    cr_assert_eq(e.kind, KernelEventKind::segfault);
    cr_assert_eq(e.comm, "memhog");
    cr_assert_eq(e.pid, 31337);
    // Read from this host's log.
    auto g = event_of("traps: criu[9409] general protection fault ip:55b5a56e5d2d sp:7ffcaf5112c8 error:402 in criu[e7d2d,55b5a5643000+ac000]");
    cr_assert_eq(g.kind, KernelEventKind::segfault);
    cr_assert_eq(g.comm, "criu");
    cr_assert_eq(g.pid, 9409);
}

Test(kernel_events, dm_thin_out_of_data_and_metadata_space) {
    auto d = event_of("device-mapper: thin: 253:2: switching pool to out-of-data-space (queue IO) mode");
    cr_assert_eq(d.kind, KernelEventKind::thin_out_of_data);
    cr_assert_eq(d.device, "253:2");
    cr_assert_eq(event_of("device-mapper: thin: 253:2: switching pool to out-of-data-space (error IO) mode").kind,
                 KernelEventKind::thin_out_of_data);
    cr_assert_eq(event_of("device-mapper: thin: 253:2: no free metadata space available.").kind, KernelEventKind::thin_out_of_metadata);
    cr_assert_eq(event_of("device-mapper: thin: 253:2: metadata operation 'dm_pool_commit_metadata' failed: error = -28").kind,
                 KernelEventKind::thin_out_of_metadata);
    cr_assert_eq(event_of("device-mapper: space map metadata: unable to allocate new metadata block").kind, KernelEventKind::thin_out_of_metadata);
    cr_assert(no_event("device-mapper: thin: 253:2: reached low water mark for data device: sending event."));
    cr_assert(no_event("device-mapper: thin: 253:2: switching pool to write mode"));
}

Test(kernel_events, ordinary_lines_are_not_events) {
    cr_assert(no_event("EXT4-fs (vda): re-mounted 1234. Quota mode: none."));
    cr_assert(no_event("IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready"));
    cr_assert(no_event("audit: type=1400 audit(1700000000.000:2): apparmor=\"STATUS\""));
}

Test(kernel_log, counts_by_kind_keeps_a_bounded_ring_and_calls_the_subscriber) {
    KernelLog log("/nonexistent", 2);
    std::vector<uint64_t> seen;
    log.subscribe([&](const KernelEvent& e) { seen.push_back(e.seq); });
    for (auto r : kOomRecords) log.feed(r);
    log.feed("3,5200,63265100000,-;INFO: task dd:77 blocked for more than 120 seconds.\n");
    log.feed("3,5201,63265100001,-;INFO: task dd:78 blocked for more than 120 seconds.\n");
    cr_assert_eq(seen, (std::vector<uint64_t>{3943, 5200, 5201}));
    auto recent = log.recent();
    cr_assert_eq(recent.size(), 2u);  // the ring holds 2: the OOM kill fell out
    cr_assert_eq(recent[0].seq, 5200u);
    cr_assert_eq(log.since(5200).size(), 1u);
    MetricSet set;
    log.add_metrics(set);
    auto text = set.render();
    cr_assert(text.find("\nmogu_kernel_events_total{kind=\"oom_kill\"} 1\n") != std::string::npos, "%s", text.c_str());
    cr_assert(text.find("\nmogu_kernel_events_total{kind=\"hung_task\"} 2\n") != std::string::npos);
    cr_assert(text.find("\nmogu_kernel_events_total{kind=\"thin_out_of_metadata_space\"} 0\n") != std::string::npos);
    cr_assert(text.find("\nmogu_kernel_log_records_total 7\n") != std::string::npos);
    // 3866 -> 3941 (the call trace and memory dump left out of kOomRecords) and 3943 -> 5200.
    cr_assert(text.find("\nmogu_kernel_log_lost_records_total " + std::to_string(74 + 1256) + "\n") != std::string::npos, "%s", text.c_str());
    cr_assert(text.find("\nmogu_kernel_log_up 0\n") != std::string::npos);
}

Test(kernel_log, an_events_time_is_boot_time_plus_its_usec) {
    KernelLog log("/nonexistent");
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    uint64_t usec = static_cast<uint64_t>(mono.tv_sec) * 1000000 - 60000000;  // logged a minute ago
    log.feed("3,1," + std::to_string(usec) + ",-;INFO: task dd:78 blocked for more than 120 seconds.\n");
    auto age = std::chrono::system_clock::now() - log.recent().at(0).time;
    cr_assert(age > std::chrono::seconds(58) && age < std::chrono::seconds(62));
}

Test(kernel_log, the_reader_starts_at_the_end_and_follows) {
    char tmpl[] = "/tmp/mogu-kmsg-test-XXXXXX";
    int fd = mkstemp(tmpl);
    cr_assert(fd >= 0);
    std::string old = "3,1,1,-;INFO: task old:1 blocked for more than 120 seconds.\n";
    cr_assert_eq(write(fd, old.data(), old.size()), (ssize_t)old.size());
    KernelLog log(tmpl);
    log.start();
    // A regular file stands in for /dev/kmsg: records appended after start are read, not the old one.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::string fresh = "3,2,2,-;INFO: task new:2 blocked for more than 120 seconds.\n";
    cr_assert_eq(write(fd, fresh.data(), fresh.size()), (ssize_t)fresh.size());
    for (int i = 0; i < 50 && log.recent().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log.stop();
    close(fd);
    unlink(tmpl);
    auto r = log.recent();
    cr_assert_eq(r.size(), 1u);
    cr_assert_eq(r[0].comm, "new");
}

Test(kmsg, the_oom_killers_summary_line_names_the_cgroup_the_task_and_its_pid) {
    auto s = parse_oom_kill_summary(
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/mogu/hog,task_memcg=/mogu/hog,task=tail,pid=61,uid=0");
    cr_assert(s.has_value());
    cr_assert_str_eq(s->cgroup.c_str(), "/mogu/hog");
    cr_assert_str_eq(s->task.c_str(), "tail");
    cr_assert_eq(s->pid, 61);
    cr_assert(!parse_oom_kill_summary("Memory cgroup out of memory: Killed process 61 (tail)").has_value());
    auto no_pid = parse_oom_kill_summary("oom-kill:task_memcg=/x,task=a,pid=nope");
    cr_assert(no_pid.has_value());
    cr_assert_eq(no_pid->pid, 0);
}
