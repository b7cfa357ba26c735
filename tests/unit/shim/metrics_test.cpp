// The Stats answer's mogu extension fields (PSI, the LXCFS load average): set from what the
// cgroups library read, unset (not zero) where nothing was read.
#include "shim/proto/cgroups_v1.pb.h"
#include "shim/proto/cgroups_v2.pb.h"
#include "shim/task/container_load.h"
#include "shim/task/metrics.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>

using namespace mogu;
using namespace mogu::shim;
namespace v1 = io::containerd::cgroups::v1;
namespace v2 = io::containerd::cgroups::v2;

namespace {

cgroups::Stats stats_with_pressure() {
    cgroups::Stats s;
    s.cpu.total_ns = 5000;
    s.pressure["cpu"] = cgroups::parse_pressure("some avg10=12.50 avg60=3.25 avg300=0.75 total=987654\n"
                                                "full avg10=1.00 avg60=0.50 avg300=0.25 total=4321\n");
    s.pressure["memory"] = cgroups::parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n"
                                                   "full avg10=0.00 avg60=0.00 avg300=0.00 total=3\n");
    s.pressure["io"] = cgroups::parse_pressure("some avg10=0.10 avg60=0.00 avg300=0.00 total=11\n"
                                               "full avg10=0.00 avg60=0.00 avg300=0.00 total=9\n");
    return s;
}

// Decoded with protobuf's C++ classes: the shim encodes with protobuf-c, so this also checks
// that the two agree on the wire.
template <typename Metrics>
Metrics decode(const PackedAny& any) {
    Metrics m;
    cr_assert_eq(any.type_url, m.GetTypeName());
    cr_assert(m.ParseFromString(any.value));
    return m;
}

template <typename Metrics>
void check_extensions(const Metrics& m) {
    cr_assert(m.has_cpu_pressure() && m.has_memory_pressure() && m.has_io_pressure());
    cr_assert_float_eq(m.cpu_pressure().some().avg10(), 12.5, 1e-9);
    cr_assert_float_eq(m.cpu_pressure().some().avg60(), 3.25, 1e-9);
    cr_assert_float_eq(m.cpu_pressure().some().avg300(), 0.75, 1e-9);
    cr_assert_eq(m.cpu_pressure().some().total(), 987654u);
    cr_assert_float_eq(m.cpu_pressure().full().avg10(), 1.0, 1e-9);
    cr_assert_eq(m.cpu_pressure().full().total(), 4321u);
    cr_assert_eq(m.memory_pressure().some().total(), 7u);
    cr_assert_eq(m.memory_pressure().full().total(), 3u);
    cr_assert_eq(m.io_pressure().some().total(), 11u);
    cr_assert_eq(m.io_pressure().full().total(), 9u);
    cr_assert(m.has_load_average());
    cr_assert_float_eq(m.load_average().load1(), 1.5, 1e-9);
    cr_assert_float_eq(m.load_average().load5(), 0.75, 1e-9);
    cr_assert_float_eq(m.load_average().load15(), 0.25, 1e-9);
    cr_assert_eq(m.load_average().running(), 2u);
    cr_assert_eq(m.load_average().tasks(), 7u);
}

runtime::lxcfs::LoadAverage load() { return {1.5, 0.75, 0.25, 2, 7}; }

}  // namespace

Test(metrics, v1_carries_pressure_and_load_average_in_the_extension_fields) {
    auto m = decode<v1::Metrics>(metrics_any(cgroups::Layout::hybrid, stats_with_pressure(), load()));
    check_extensions(m);
    cr_assert_eq(m.cpu().usage().total(), 5000u);  // the upstream fields are still there
}

Test(metrics, v2_carries_pressure_and_load_average_in_the_extension_fields) {
    auto m = decode<v2::Metrics>(metrics_any(cgroups::Layout::v2, stats_with_pressure(), load()));
    check_extensions(m);
    cr_assert_eq(m.cpu().usage_usec(), 5u);
}

Test(metrics, a_cgroup_without_pressure_files_and_no_load_average_leave_the_fields_unset) {
    cgroups::Stats s;  // as the v1 driver reads it: no *.pressure
    auto m1 = decode<v1::Metrics>(metrics_any(cgroups::Layout::v1, s));
    cr_assert(!m1.has_cpu_pressure() && !m1.has_memory_pressure() && !m1.has_io_pressure() && !m1.has_load_average());
    auto m2 = decode<v2::Metrics>(metrics_any(cgroups::Layout::v2, s));
    cr_assert(!m2.has_cpu_pressure() && !m2.has_memory_pressure() && !m2.has_io_pressure() && !m2.has_load_average());
    // Only the resources whose file was read.
    s.pressure["cpu"] = cgroups::parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    m2 = decode<v2::Metrics>(metrics_any(cgroups::Layout::v2, s));
    cr_assert(m2.has_cpu_pressure() && !m2.has_memory_pressure() && !m2.has_io_pressure());
}

Test(metrics, extension_field_numbers_stay_at_1000_and_up) {
    // Wire tags, so a renumbering that would collide with upstream's fields shows here.
    cr_assert_eq(v1::Metrics::kCpuPressureFieldNumber, 1000);
    cr_assert_eq(v1::Metrics::kMemoryPressureFieldNumber, 1001);
    cr_assert_eq(v1::Metrics::kIoPressureFieldNumber, 1002);
    cr_assert_eq(v1::Metrics::kLoadAverageFieldNumber, 1003);
    cr_assert_eq(v2::Metrics::kCpuPressureFieldNumber, 1000);
    cr_assert_eq(v2::Metrics::kMemoryPressureFieldNumber, 1001);
    cr_assert_eq(v2::Metrics::kIoPressureFieldNumber, 1002);
    cr_assert_eq(v2::Metrics::kLoadAverageFieldNumber, 1003);
}

Test(container_load, a_fuse_file_bound_over_proc_loadavg_is_the_view) {
    std::string proc = "22 1 0:21 / /proc rw,nosuid,nodev,noexec - proc proc rw\n";
    std::string view = "30 22 0:45 /proc/loadavg /proc/loadavg ro,nosuid,nodev - fuse.lxcfs lxcfs rw,user_id=0\n";
    std::string masked = "31 30 0:5 /null /proc/loadavg rw,nosuid - devtmpfs udev rw\n";
    cr_assert(has_loadavg_view(proc + view));
    cr_assert(!has_loadavg_view(proc));
    cr_assert(!has_loadavg_view(proc + view + masked));  // the spec masks it: /dev/null on top
    cr_assert(!has_loadavg_view("30 22 0:45 /proc/meminfo /proc/meminfo ro - fuse.lxcfs lxcfs rw\n"));
}

Test(container_load, a_read_that_hangs_gives_up_in_time_and_leaves_no_process) {
    if (geteuid() != 0) cr_skip_test("joining a pid namespace needs root");
    // A FIFO without a writer stands in for a hung LXCFS: opening it blocks.
    char tmpl[] = "/tmp/mogu-loadavg.XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    std::string dir = tmpl;
    std::filesystem::create_directories(dir + "/proc");
    cr_assert_eq(mkfifo((dir + "/proc/loadavg").c_str(), 0600), 0);
    auto started = std::chrono::steady_clock::now();
    auto load = runtime::lxcfs::read_load_average(getpid(), dir, 200);
    auto took = std::chrono::steady_clock::now() - started;
    cr_assert(!load.has_value());
    cr_assert(took < std::chrono::seconds(2), "took %lld ms", (long long)std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
    // The helper was reaped, and its reader (blocked in open, still counted as the FIFO's
    // reader) was killed too: a non-blocking open for writing finds no reader (ENXIO).
    cr_assert_eq(waitpid(-1, nullptr, WNOHANG), -1);
    // (Once: a successful open would wake a surviving reader. The SIGKILL went out with the
    // helper's, which has been reaped; 200 ms more for the reader's exit.)
    usleep(200000);
    int fd = open((dir + "/proc/loadavg").c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) close(fd);
    cr_assert_lt(fd, 0, "the reader is still there");
    cr_assert_eq(errno, ENXIO);
    std::filesystem::remove_all(dir);
}
