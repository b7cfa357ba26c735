// A Kubernetes pod in one VM, the host's half that needs no VM: which role a bundle has, its
// directory binds (the pod's /dev/shm, host directories bound into the pod's share for real, as
// root), the QEMU devices of a pod's VM, and what vm.json and exit.json keep of a pod.
#include "common/error.h"
#include "common/files.h"
#include "common/mountinfo.h"
#include "kvm-launcher/host/guest_request.h"
#include "kvm-launcher/host/pod.h"
#include "kvm-launcher/host/qemu.h"
#include "kvm-launcher/host/vm_state.h"

#include "tests/unit/kvm/expect.h"

#include <criterion/criterion.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>

using namespace mogu;
using namespace mogu::vm;

namespace {

std::string temp_dir() {
    char t[] = "/tmp/mogu-pod-unit.XXXXXX";
    cr_assert(mkdtemp(t));
    return t;
}

oci::Spec spec_with(std::map<std::string, std::string> annotations) {
    oci::Spec s;
    s.annotations = std::move(annotations);
    return s;
}

bool mounted(const std::string& path) {
    auto all = parse_mountinfo(read_file("/proc/self/mountinfo"));
    return std::any_of(all.begin(), all.end(), [&](const MountInfoEntry& m) { return m.mount_point == path; });
}

// A bundle in a new directory whose config.json has these mounts (a JSON array's inside).
std::string bundle_with_mounts(const std::string& mounts) {
    std::string b = temp_dir();
    mkdir_p(b + "/rootfs");
    write_file(b + "/config.json", R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "process": {"args": ["sh"], "cwd": "/"},
        "mounts": [)" + mounts + "]}");
    return b;
}

}  // namespace

Test(pod_place, reads_containerds_cri_annotations_and_joins_only_a_vm_sandbox) {
    std::string root = temp_dir();
    cr_assert(pod_place(spec_with({}), "c", root).role == PodRole::none);
    cr_assert(pod_place(spec_with({{kCriContainerTypeAnnotation, "sandbox"}}), "p", root).role == PodRole::sandbox);
    // The sandbox is not a VM container here (a pod of another runtime): a VM of its own.
    auto member = spec_with({{kCriContainerTypeAnnotation, "container"}, {kCriSandboxIdAnnotation, "p"}});
    cr_assert(pod_place(member, "c", root).role == PodRole::none);
    {
        VmDir d = VmDir::create(root, "p");
        VmState st;
        st.id = "p";
        d.write_state(st);
        d.commit();
    }
    PodPlace place = pod_place(member, "c", root);
    cr_assert(place.role == PodRole::member);
    expect_str(place.sandbox_id, "p");
    cr_assert(pod_place(member, "p", root).role == PodRole::none);  // never its own sandbox
    remove_tree(root);
}

Test(pod_binds, directories_are_collected_for_a_pod_and_refused_otherwise) {
    std::string b = bundle_with_mounts(R"({"destination": "/dev/shm", "type": "bind", "source": "/tmp", "options": ["rbind", "rw"]},
        {"destination": "/data", "type": "bind", "source": "/etc", "options": ["rbind", "ro"]})");
    try {
        refuse_directories(prepare_bundle(b));
        cr_assert_fail("a directory bind accepted for a container that is not a pod's");
    } catch (const SpecError& e) {
        expect_str(e.path(), "mounts[0]");
    }
    PreparedBundle p = prepare_bundle(b, true);
    cr_assert_eq(p.directories.size(), 2u);
    expect_str(p.directories[0].destination, "/dev/shm");
    cr_assert(!p.directories[0].readonly);
    expect_str(p.directories[1].source, "/etc");
    cr_assert(p.directories[1].readonly);
    cr_assert_eq(p.directories[1].index, 1u);
    remove_tree(b);
}

// Real bind mounts (the tests run as root): into the share, read-only where asked, and gone again.
Test(pod_binds, host_directories_are_bound_into_the_share_and_unbound) {
    if (geteuid() != 0) cr_skip_test("binding needs root");
    std::string data = temp_dir(), share = temp_dir();
    write_file(data + "/file", "from the host");
    std::string b = bundle_with_mounts(R"({"destination": "/dev/shm", "type": "bind", "source": "/tmp", "options": ["rbind"]},
        {"destination": "/data", "type": "bind", "source": ")" + data + R"(", "options": ["rbind", "ro"]})");
    PreparedBundle p = prepare_bundle(b, true);
    agent::v1::CreateContainerRequest req;
    {
        std::vector<ShareBind> binds = share_directories(p, share, "c1", req);
        expect_str(req.shm_source(), "/tmp");
        cr_assert_eq(req.shared_dirs_size(), 1);
        expect_str(req.shared_dirs(0).source(), data);
        expect_str(req.shared_dirs(0).subpath(), "c1/mounts/1");
        std::string target = share + "/c1/mounts/1";
        cr_assert(mounted(target));
        expect_str(read_file(target + "/file"), "from the host");
        struct statvfs vfs {};
        cr_assert_eq(statvfs(target.c_str(), &vfs), 0);
        cr_assert(vfs.f_flag & ST_RDONLY, "a read-only bind is read-only on the host side too");
    }
    // The binds undid themselves; what they showed is still there.
    cr_assert(!mounted(share + "/c1/mounts/1"));
    expect_str(read_file(data + "/file"), "from the host");
    // Released binds stay until unmount_below, which takes every mount under the directory.
    {
        agent::v1::CreateContainerRequest req2;
        std::vector<ShareBind> binds = share_directories(p, share, "c2", req2);
        for (auto& bind : binds) bind.release();
    }
    cr_assert(mounted(share + "/c2/mounts/1"));
    cr_assert(unmount_below(share));
    cr_assert(!mounted(share + "/c2/mounts/1"));
    remove_tree(share);
    remove_tree(data);
    remove_tree(b);
}

Test(pod_qemu, a_pods_vm_has_the_share_and_a_nic_on_fd_4) {
    QemuConfig c;
    c.kernel = "/k";
    c.initrd = "/i";
    c.disk = "/d.img";
    c.pod_share = "/run/mogu-vm/p/pod";
    c.tap_fd = 9;
    c.mac = "02:42:0a:00:00:05";
    auto a = qemu_argv(c, 3);
    auto has = [&](const std::string& s) { return std::find(a.begin(), a.end(), s) != a.end(); };
    cr_assert(has("local,id=pod,path=/run/mogu-vm/p/pod,security_model=passthrough,multidevs=remap"));
    cr_assert(has("virtio-9p-device,fsdev=pod,mount_tag=pod"));
    cr_assert(has(fmt::format("tap,id=net0,fd={},vhost=off", kTapFd)));
    cr_assert(has("virtio-net-device,netdev=net0,mac=02:42:0a:00:00:05"));
    c.tap_fd = -1;
    a = qemu_argv(c, 3);
    cr_assert(std::none_of(a.begin(), a.end(), [](const std::string& s) { return s.find("virtio-net") != std::string::npos; }));
}

Test(pod_state, vm_json_keeps_the_pod_and_exit_json_the_oom_kill) {
    VmState s;
    s.id = "c1";
    s.sandbox = "p";
    s.pod_share = "/run/mogu-vm/p/pod/c1";
    VmState t = state_from_json(state_to_json(s), "vm.json");
    expect_str(t.sandbox, "p");
    expect_str(t.pod_share, s.pod_share);
    std::string root = temp_dir();
    VmDir d = VmDir::create(root, "c1");
    write_exit(d.path(), VmExit{137, "", true});
    auto e = d.read_exit();
    cr_assert(e && e->exit_code == 137 && e->oom_killed);
    d.remove();
    remove_tree(root);
}
