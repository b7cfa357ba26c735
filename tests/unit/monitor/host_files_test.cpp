// The host's /proc files as a kernel 6.x writes them, parsed; and the host collector over a
// directory laid out like /proc, checked series by series.
#include "monitor/config.h"
#include "monitor/daemon_health.h"
#include "monitor/host_collector.h"
#include "monitor/host_files.h"
#include "monitor/thin_pool_status.h"

#include <criterion/criterion.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

using namespace mogu::monitor;

namespace {

const char* kMeminfo =
    "MemTotal:       24669620 kB\n"
    "MemFree:        21161324 kB\n"
    "MemAvailable:   23402016 kB\n"
    "Buffers:          166612 kB\n"
    "Cached:          2157916 kB\n"
    "SwapCached:            0 kB\n"
    "Active(anon):      81132 kB\n"
    "Inactive(file):  1357116 kB\n"
    "SwapTotal:       1048572 kB\n"
    "SwapFree:        1048572 kB\n"
    "HugePages_Total:       0\n"
    "HugePages_Free:        0\n"
    "Hugepagesize:       2048 kB\n"
    "DirectMap4k:      169836 kB\n";

const char* kSockstat =
    "sockets: used 11\n"
    "TCP: inuse 1 orphan 0 tw 3 alloc 1 mem 216\n"
    "UDP: inuse 0 mem 0\n"
    "UDPLITE: inuse 0\n"
    "RAW: inuse 0\n"
    "FRAG: inuse 0 memory 0\n";

const char* kMountinfo =
    "21 26 0:20 / /proc rw,relatime - proc proc rw\n"
    "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
    "40 26 0:35 / /var/lib/mogu\\040data rw - tmpfs tmpfs rw,size=1024k\n"
    "41 26 254:0 /srv /mnt/bind rw,relatime - ext4 /dev/vda rw\n"
    "42 26 0:36 / /mnt rw master:1 - tmpfs other rw\n";

bool has_line(const std::string& text, const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0; }

void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

}  // namespace

Test(host_files, loadavg_gives_loads_and_every_task) {
    auto l = parse_loadavg("1.74 1.90 3.76 3/102 17067\n");
    cr_assert(l.has_value());
    cr_assert_float_eq(l->load1, 1.74, 1e-9);
    cr_assert_float_eq(l->load15, 3.76, 1e-9);
    cr_assert_eq(l->runnable, 3u);
    cr_assert_eq(l->threads, 102u);
    cr_assert(!parse_loadavg("1.74 1.90 3.76\n").has_value());
    cr_assert(!parse_loadavg("x 1.90 3.76 3/102 1\n").has_value());
}

Test(host_files, file_nr_gives_allocated_and_max) {
    auto f = parse_file_nr("542\t0\t2466248\n");
    cr_assert(f.has_value());
    cr_assert_eq(f->allocated, 542u);
    cr_assert_eq(f->max, 2466248u);
    cr_assert(!parse_file_nr("542 0\n").has_value());
}

Test(host_files, meminfo_in_bytes_with_node_exporters_names) {
    auto fields = parse_meminfo(kMeminfo);
    cr_assert_eq(fields.size(), 14u);
    cr_assert_eq(fields[2].name, "MemAvailable");
    cr_assert_eq(fields[2].value, 23402016ull * 1024);
    cr_assert(fields[2].bytes);
    cr_assert_eq(fields[6].name, "Active_anon");  // "Active(anon)"
    cr_assert_eq(fields[7].name, "Inactive_file");
    cr_assert_eq(fields[10].name, "HugePages_Total");
    cr_assert(!fields[10].bytes);  // a count, no unit
}

Test(host_files, sockstat_by_protocol_and_field) {
    auto s = parse_sockstat(kSockstat);
    cr_assert_eq(s["sockets"]["used"], 11u);
    cr_assert_eq(s["TCP"]["inuse"], 1u);
    cr_assert_eq(s["TCP"]["tw"], 3u);
    cr_assert_eq(s["TCP"]["mem"], 216u);
    cr_assert_eq(s["FRAG"]["memory"], 0u);
    cr_assert_eq(s["TCP6"].size(), 0u);
    auto six = parse_sockstat("TCP6: inuse 4\nUDP6: inuse 2\n");
    cr_assert_eq(six["TCP6"]["inuse"], 4u);
}

Test(host_files, mountinfo_decodes_escapes_and_finds_the_mount_of_a_path) {
    auto m = parse_mountinfo(kMountinfo);
    cr_assert_eq(m.size(), 5u);
    cr_assert_eq(m[2].mountpoint, "/var/lib/mogu data");
    cr_assert_eq(m[2].fstype, "tmpfs");
    cr_assert_eq(m[4].source, "other");  // optional fields ("master:1") before the "-"
    auto* root = mount_of(m, "/etc/passwd", 254, 0);
    cr_assert(root && root->mountpoint == "/");
    auto* tmp = mount_of(m, "/var/lib/mogu data/x", 0, 35);
    cr_assert(tmp && tmp->mountpoint == "/var/lib/mogu data");
    // A bind mount of the same device elsewhere does not claim a path it does not hold.
    auto* bind = mount_of(m, "/mnt/bind/y", 254, 0);
    cr_assert(bind && bind->mountpoint == "/mnt/bind");
    // "/mnt" is not a prefix of "/mntx".
    auto* other = mount_of(m, "/mntx", 254, 0);
    cr_assert(other && other->mountpoint == "/");
}

Test(host_files, start_ticks_after_a_comm_with_spaces_and_parentheses) {
    auto t = parse_stat_start_ticks(
        "22305 (my (odd) name) R 22297 22297 11701 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 5970056 2998272 415 18446744073709551615\n");
    cr_assert(t.has_value());
    cr_assert_eq(*t, 5970056u);
    cr_assert(!parse_stat_start_ticks("22305 (x) R 1 2").has_value());
    cr_assert_eq(parse_boot_time("cpu  1 2 3\nbtime 1796399636\nprocesses 5\n").value_or(0), 1796399636u);
}

Test(thin_pool, status_and_table_give_used_and_total_bytes) {
    // dmsetup status / table of a pool with 64 KiB blocks (128 sectors)
    auto f = parse_thin_pool("1 280/4161600 2048/163840 - rw no_discard_passdown queue_if_no_space - 1024",
                             "254:1 254:2 128 32768 1 ignore_discard");
    cr_assert(f.has_value());
    cr_assert_eq(f->data_block_bytes, 65536u);
    cr_assert_eq(f->used_data_blocks, 2048u);
    cr_assert_eq(f->total_data_blocks, 163840u);
    cr_assert_eq(f->used_metadata_blocks, 280u);
    cr_assert_eq(f->mode, "rw");
    cr_assert(!f->needs_check);
    auto full = parse_thin_pool("5 300/4161600 163840/163840 - out_of_data_space no_discard_passdown queue_if_no_space needs_check 1024",
                                "254:1 254:2 128 32768 0");
    cr_assert(full && full->mode == "out_of_data_space" && full->needs_check);
    auto failed = parse_thin_pool("Fail", "254:1 254:2 128 32768 0");
    cr_assert(failed && failed->mode == "Fail");
    cr_assert(!parse_thin_pool("1 280 2048/163840 - rw", "254:1 254:2 128 32768 0").has_value());
    cr_assert(!parse_thin_pool("1 280/10 2048/163840 - rw", "254:1 254:2").has_value());
}

Test(thin_pool, a_missing_pool_is_reported_not_thrown) {
    std::string why;
    cr_assert(!read_thin_pool("mogu-unit-test-no-such-pool", why).has_value());
    cr_assert(!why.empty());
}

// A /proc-like directory: the collector reads it as it would read /proc.
Test(host_collector, series_from_a_proc_like_directory) {
    char tmpl[] = "/tmp/mogu-host-test-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    for (auto d : {"/sys", "/sys/kernel", "/sys/fs", "/sys/net", "/sys/net/netfilter", "/net", "/pressure", "/self", "/4242"})
        mkdir((dir + d).c_str(), 0755);
    write(dir + "/loadavg", "0.50 0.25 0.10 2/345 999\n");
    write(dir + "/sys/kernel/pid_max", "32768\n");
    write(dir + "/sys/kernel/threads-max", "192735\n");
    write(dir + "/sys/fs/file-nr", "542\t0\t2466248\n");
    write(dir + "/meminfo", kMeminfo);
    write(dir + "/net/sockstat", kSockstat);
    write(dir + "/pressure/cpu", "some avg10=2.40 avg60=2.09 avg300=11.44 total=3397693984\n");
    write(dir + "/pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=500000\n");
    write(dir + "/self/mountinfo", kMountinfo);
    write(dir + "/stat", "btime 1796399636\n");
    write(dir + "/4242/comm", "containerd\n");
    write(dir + "/4242/stat", "4242 (containerd) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 12 0 1000 1 1 1\n");
    symlink("/usr/bin/containerd", (dir + "/4242/exe").c_str());

    HostConfig cfg;
    cfg.paths = {"/", "/nonexistent/mogu-unit-test"};
    cfg.daemons = {"containerd", "lxcfs"};
    HostCollector host(cfg, dir);
    MetricSet set;
    host.collect(set);
    auto text = set.render();

    cr_assert(has_line(text, "node_load1 0.5"), "%s", text.c_str());
    cr_assert(has_line(text, "node_processes_threads 345"));
    cr_assert(has_line(text, "node_processes_pids 1"));
    cr_assert(has_line(text, "node_processes_max_processes 32768"));
    cr_assert(has_line(text, "node_processes_max_threads 192735"));
    cr_assert(has_line(text, "node_filefd_allocated 542"));
    cr_assert(has_line(text, "node_filefd_maximum 2466248"));
    cr_assert(has_line(text, "mogu_host_meminfo_mem_available_bytes 23963664384"));
    cr_assert(has_line(text, "mogu_host_meminfo_huge_pages_total_pages 0"));
    cr_assert(has_line(text, "node_sockstat_TCP_tw 3"));
    cr_assert(has_line(text, "node_sockstat_TCP_mem_bytes " + std::to_string(216 * sysconf(_SC_PAGESIZE))));
    cr_assert(has_line(text, "node_sockstat_sockets_used 11"));
    cr_assert(has_line(text, "node_pressure_cpu_waiting_seconds_total 3397.693984"));
    cr_assert(text.find("node_pressure_cpu_stalled_seconds_total") == std::string::npos);  // no "full" line: no series
    cr_assert(has_line(text, "node_pressure_io_stalled_seconds_total 0.5"));
    cr_assert(text.find("node_pressure_memory") == std::string::npos);  // no file, no series
    // conntrack not loaded: no series, no error.
    cr_assert(text.find("node_nf_conntrack") == std::string::npos);
    // The root filesystem is read for real; the missing path is an error series.
    cr_assert(text.find("node_filesystem_avail_bytes{") != std::string::npos);
    cr_assert(has_line(text, "node_filesystem_device_error{device=\"\",fstype=\"\",mountpoint=\"\",path=\"/nonexistent/mogu-unit-test\"} 1"));
    cr_assert(has_line(text, "mogu_daemon_up{daemon=\"containerd\"} 1"));
    cr_assert(has_line(text, "mogu_daemon_up{daemon=\"lxcfs\"} 0"));
    cr_assert(has_line(text, "mogu_daemon_start_time_seconds{daemon=\"containerd\"} " +
                                 std::to_string(1796399636 + 1000 / sysconf(_SC_CLK_TCK))));

    // Conntrack loaded.
    write(dir + "/sys/net/netfilter/nf_conntrack_count", "17\n");
    write(dir + "/sys/net/netfilter/nf_conntrack_max", "262144\n");
    MetricSet again;
    host.collect(again);
    auto t2 = again.render();
    cr_assert(has_line(t2, "node_nf_conntrack_entries 17"));
    cr_assert(has_line(t2, "node_nf_conntrack_entries_limit 262144"));
    std::string cmd = "rm -rf " + dir;
    cr_assert_eq(system(cmd.c_str()), 0);
}

Test(daemon_health, a_new_pid_or_start_time_is_a_restart_and_a_gone_process_is_down) {
    char tmpl[] = "/tmp/mogu-daemon-test-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    write(dir + "/stat", "btime 1796399636\n");
    auto proc = [&](int pid, const std::string& comm, const std::string& exe, int ticks) {
        std::string p = dir + "/" + std::to_string(pid);
        mkdir(p.c_str(), 0755);
        write(p + "/comm", comm + "\n");
        write(p + "/stat", std::to_string(pid) + " (" + comm + ") S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 " + std::to_string(ticks) + " 1 1\n");
        symlink(exe.c_str(), (p + "/exe").c_str());
    };
    auto rm = [&](int pid) { cr_assert_eq(system(("rm -rf " + dir + "/" + std::to_string(pid)).c_str()), 0); };
    auto up_and_restarts = [&](DaemonHealth& h) {
        MetricSet set;
        h.add_metrics(set);
        auto t = set.render();
        bool up = t.find("mogu_daemon_up{daemon=\"mogu-snapshotter\"} 1") != std::string::npos;
        auto at = t.find("mogu_daemon_restarts_total{daemon=\"mogu-snapshotter\"} ");
        cr_assert(at != std::string::npos);
        return std::make_pair(up, std::stoi(t.substr(t.find("} ", at) + 2)));
    };
    DaemonHealth h({"mogu-snapshotter"}, dir);
    // comm is cut at 15 characters; the executable's name says which it is.
    proc(100, "mogu-snapshotte", "/usr/local/bin/mogu-snapshotter", 500);
    proc(101, "mogu-snapshotte", "/usr/local/bin/mogu-snapshotteX", 400);  // another program, same comm
    proc(102, "mogu-snapshotte", "/usr/local/bin/mogu-snapshotter", 900);  // a child it forked later
    h.observe(scan_processes(dir));
    cr_assert_eq(up_and_restarts(h), std::make_pair(true, 0));
    h.observe(scan_processes(dir));
    cr_assert_eq(up_and_restarts(h), std::make_pair(true, 0));
    rm(100);  // the daemon died: its child is the oldest left, a different process
    rm(102);
    h.observe(scan_processes(dir));
    cr_assert_eq(up_and_restarts(h), std::make_pair(false, 0));
    // Restarted by systemd, the same pid reused with a new start time.
    proc(100, "mogu-snapshotte", "/usr/local/bin/mogu-snapshotter (deleted)", 2000);
    h.observe(scan_processes(dir));
    cr_assert_eq(up_and_restarts(h), std::make_pair(true, 1));
    cr_assert_eq(system(("rm -rf " + dir).c_str()), 0);
}

Test(host_files, meminfo_fields_become_snake_case) {
    cr_assert_eq(snake_case("MemAvailable"), std::string("mem_available"), "%s", snake_case("MemAvailable").c_str());
    cr_assert_eq(snake_case("HugePages_Total"), std::string("huge_pages_total"), "%s", snake_case("HugePages_Total").c_str());
    cr_assert_eq(snake_case("Active_anon"), std::string("active_anon"), "%s", snake_case("Active_anon").c_str());
    cr_assert_eq(snake_case("SUnreclaim"), std::string("sunreclaim"), "%s", snake_case("SUnreclaim").c_str());
    cr_assert_eq(snake_case("SecPageTables"), std::string("secondary_page_tables"), "%s", snake_case("SecPageTables").c_str());
    cr_assert_eq(snake_case("DirectMap2M"), std::string("direct_map2m"), "%s", snake_case("DirectMap2M").c_str());
    cr_assert_eq(snake_case("NFS_Unstable"), std::string("nfs_unstable"), "%s", snake_case("NFS_Unstable").c_str());
    cr_assert_eq(snake_case("DirectMap4k"), std::string("direct_map4k"), "%s", snake_case("DirectMap4k").c_str());
    cr_assert_eq(snake_case("VmallocUsed"), std::string("vmalloc_used"), "%s", snake_case("VmallocUsed").c_str());
    cr_assert_eq(snake_case("Hugetlb"), std::string("hugetlb"), "%s", snake_case("Hugetlb").c_str());
}
