// The shim's reading of containerd's CheckpointOptions and the runtime flags they become.
#include "common/error.h"
#include "shim/proto/runc_options.pb.h"
#include "shim/task/checkpoint_options.h"
#include "shim/task/runtime_options.h"
#include "shim/task/wire_values.h"

#include <criterion/criterion.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

using namespace mogu;
using namespace mogu::shim;

namespace {

bool has(const std::vector<std::string>& args, const std::string& a) { return std::find(args.begin(), args.end(), a) != args.end(); }

}  // namespace

Test(checkpoint_options, none_means_leave_running_and_nothing_else) {
    pbc::Arena arena;
    CheckpointSettings s = checkpoint_settings_from_any(nullptr);
    cr_assert_not(s.exit);
    cr_assert_not(checkpoint_settings_from_any(wire_any(arena, "", "")).exit);
    auto args = checkpoint_args(s, "/img", "/work");
    std::vector<std::string> want{"--image-path", "/img", "--work-path", "/work", "--leave-running"};
    cr_assert(args == want);
}

Test(checkpoint_options, containerds_options_become_the_runtimes_flags) {
    containerd::runc::v1::CheckpointOptions o;
    o.set_exit(true);
    o.set_open_tcp(true);
    o.set_external_unix_sockets(true);
    o.set_terminal(true);
    o.set_file_locks(true);
    o.add_empty_namespaces("network");
    o.set_cgroups_mode("full");
    o.set_work_path("/keep/work");
    pbc::Arena arena;
    auto* any = wire_any(arena, "containerd.runc.v1.CheckpointOptions", o.SerializeAsString());
    CheckpointSettings s = checkpoint_settings_from_any(any);
    cr_assert(s.exit);
    cr_assert_str_eq(s.work_path.c_str(), "/keep/work");
    auto args = checkpoint_args(s, "/img", s.work_path);
    cr_assert_not(has(args, "--leave-running"));
    for (const char* flag : {"--tcp-established", "--ext-unix-sk", "--shell-job", "--file-locks", "--empty-ns", "network",
                             "--manage-cgroups-mode", "full", "/keep/work"})
        cr_assert(has(args, flag), "missing %s", flag);
}

Test(checkpoint_options, another_type_is_refused_by_name) {
    pbc::Arena arena;
    auto* any = wire_any(arena, "containerd.linux.runc.CheckpointOptions", "");
    try {
        checkpoint_settings_from_any(any);
        cr_assert_fail("accepted another options type");
    } catch (const Error& e) {
        cr_assert(std::string(e.what()).find("containerd.linux.runc.CheckpointOptions") != std::string::npos, "%s", e.what());
    }
}

Test(checkpoint_options, runc_options_and_the_config_file_name_the_criu) {
    containerd::runc::v1::Options ro;
    ro.set_criu_path("/opt/criu/sbin/criu");
    ro.set_criu_work_path("/var/criu-work");
    pbc::Arena arena;
    auto* any = wire_any(arena, "containerd.runc.v1.Options", ro.SerializeAsString());
    RuntimeOptions o = options_from_any(any, "default");
    cr_assert_str_eq(o.criu_path.c_str(), "/opt/criu/sbin/criu");
    cr_assert_str_eq(o.criu_work_path.c_str(), "/var/criu-work");

    char path[] = "/tmp/shim-criu.XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    std::ofstream(path) << "CriuPath = \"/usr/local/sbin/criu\"\n";
    RuntimeOptions c;
    apply_config_file(c, path);
    cr_assert_str_eq(c.criu_path.c_str(), "/usr/local/sbin/criu");
    std::ofstream(path) << "CriuPath = \"criu\"\n";
    try {
        apply_config_file(c, path);
        cr_assert_fail("a relative CriuPath was accepted");
    } catch (const Error& e) {
        cr_assert(std::string(e.what()).find("CriuPath") != std::string::npos, "%s", e.what());
    }
    unlink(path);
}
