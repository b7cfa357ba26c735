// Which containers the monitor reads under a state root: here mogu-vm's, found by their vm.json
// (the runtime's own containers are read through runtime::list, tested in the runtime's tests
// and end to end in tests/integration/monitor.bats).
#include "common/files.h"
#include "common/vm_detect.h"
#include "common/vm_state_record.h"
#include "monitor/discovery.h"
#include "runtime/proc_info.h"

#include <criterion/criterion.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

using namespace mogu;
using namespace mogu::monitor;

namespace {

std::string make_root() {
    char tmpl[] = "/tmp/mogu-discovery-test.XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    return tmpl;
}

// A vm.json whose keeper is this test process (alive) or a process that is not there.
void write_vm(const std::string& root, const std::string& id, bool keeper_alive) {
    vm::VmState s;
    s.id = id;
    s.bundle = "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" + id;
    s.created = "2026-12-07T03:00:00.000000000Z";
    s.pid = getpid();
    s.pid_start = runtime::read_proc_stat(getpid())->start_time + (keeper_alive ? 0 : 1);
    s.accel = "tcg";
    s.vcpus = 2;
    s.memory_mib = 328;
    s.cgroup = "/kubepods/" + id;
    s.annotations["io.kubernetes.cri.sandbox-name"] = "web-0";
    mkdir_p(root + "/" + id, 0700);
    write_file(root + "/" + id + "/" + vm::kVmStateFile, vm::state_to_json(s), 0600);
}

}  // namespace

Test(discovery, a_vm_container_whose_keeper_runs_is_read_from_its_host_cgroup) {
    std::string root = make_root();
    write_vm(root, "vm1", true);
    auto found = find_containers({root});
    cr_assert_eq(found.size(), 1);
    const auto& f = found[0];
    cr_assert(f.vm.has_value());
    cr_assert_str_eq(f.view.state.id.c_str(), "vm1");
    cr_assert_str_eq(f.view.state.cgroup_path.c_str(), "/kubepods/vm1");
    cr_assert_eq(f.view.state.pid, getpid());
    cr_assert_eq(f.view.status, runtime::Status::running);
    cr_assert_eq(f.vm->memory_mib, 328u);
    // Its labels are every container's: containerd's namespace from the bundle, the pod from CRI's annotation.
    auto labels = container_labels(f.view.state);
    cr_assert(std::find(labels.begin(), labels.end(), std::make_pair(std::string("containerd_namespace"), std::string("k8s.io"))) != labels.end());
    cr_assert(std::find(labels.begin(), labels.end(), std::make_pair(std::string("pod"), std::string("web-0"))) != labels.end());
    remove_tree(root);
}

Test(discovery, a_vm_container_whose_keeper_is_gone_or_whose_state_does_not_parse_is_passed_over) {
    std::string root = make_root();
    write_vm(root, "gone", false);
    mkdir_p(root + "/broken", 0700);
    write_file(root + "/broken/" + vm::kVmStateFile, "{\"id\": ", 0600);
    cr_assert_eq(find_containers({root}).size(), 0);
    remove_tree(root);
}

Test(discovery, an_ended_vm_container_gives_its_exit_record_and_is_not_read) {
    std::string root = make_root();
    write_vm(root, "hog", false);
    write_vm(root, "ok", false);
    vm::VmExit oom;
    oom.exit_code = 137;
    oom.oom_killed = true;
    oom.oom_process = "tail";
    oom.oom_pid = 61;
    write_file(root + "/hog/" + vm::kVmExitFile, vm::exit_to_json(oom), 0600);
    write_vm(root, "running", true);
    write_file(root + "/running/" + vm::kVmExitFile, vm::exit_to_json(oom), 0600);  // being written as the keeper exits
    std::vector<EndedVmContainer> ended;
    auto found = find_containers({root}, &ended);
    cr_assert_eq(found.size(), 1, "only the running one has a cgroup to read");
    cr_assert_eq(ended.size(), 1, "the one without exit.json has not ended as far as anyone knows");
    cr_assert_str_eq(ended[0].state.id.c_str(), "hog");
    cr_assert_str_eq(ended[0].state.cgroup_path.c_str(), "/kubepods/hog");
    cr_assert(ended[0].exit.oom_killed);
    cr_assert_str_eq(ended[0].exit.oom_process.c_str(), "tail");
    cr_assert_eq(ended[0].exit.oom_pid, 61);
    cr_assert_eq(ended[0].exit.exit_code, 137);
    cr_assert(ended[0].recorded_at > 0);
    remove_tree(root);
}
