// Pieces of the shim that need no containerd: address convention, mount options, cgroup
// discovery, runtime options, and the Task service's answers to bad requests.
#include "common/files.h"
#include "common/json.h"
#include "shim/commands.h"
#include "shim/proto/shim.pb.h"
#include "shim/task/container_cgroup.h"
#include "shim/task/process_io.h"
#include "shim/task/publisher.h"
#include "shim/task/rootfs.h"
#include "shim/task/runtime_options.h"
#include "shim/task/task_service.h"
#include "shim/task/vm_rootfs.h"
#include "shim/task/wire_values.h"
#include "ttrpc/client.h"
#include "ttrpc/frame.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

using namespace mogu;
using namespace mogu::shim;

Test(shim_address, is_sha256_of_address_namespace_and_id_under_run_containerd_s) {
    // printf '%s' /run/containerd/containerd.sock/default/abc | sha256sum
    std::string a = shim_socket_address("/run/containerd/containerd.sock", "default", "abc");
    cr_assert_str_eq(a.c_str(), "unix:///run/containerd/s/8cb244a719603fe00870d5ce1d8e1f1db43a654cb993d107df1f1ae23ddffa59");
    cr_assert_neq(a, shim_socket_address("/run/containerd/containerd.sock", "other", "abc"));
}

Test(mount_options, splits_flags_from_filesystem_data) {
    MountOptions m = parse_mount_options({"ro", "nosuid", "rbind", "rprivate", "lowerdir=/a:/b", "upperdir=/u", "workdir=/w"});
    cr_assert(m.flags & MS_RDONLY);
    cr_assert(m.flags & MS_NOSUID);
    cr_assert(m.flags & MS_BIND);
    cr_assert(m.flags & MS_REC);
    cr_assert_eq(m.propagation, (unsigned long)(MS_PRIVATE | MS_REC));
    cr_assert_str_eq(m.data.c_str(), "lowerdir=/a:/b,upperdir=/u,workdir=/w");
}

Test(mount_options, rw_clears_ro) {
    cr_assert_eq(parse_mount_options({"ro", "rw"}).flags & MS_RDONLY, 0ul);
}

Test(container_cgroup, path_comes_from_the_memory_controller_on_hybrid_hosts) {
    std::string self =
        "12:pids:/mogu-test/abc\n"
        "4:memory:/mogu-test/abc\n"
        "1:name=systemd:/user.slice\n"
        "0::/\n";
    std::string path = cgroup_path_from(self);
    cr_assert_str_eq(path.c_str(), "/mogu-test/abc");
}

Test(container_cgroup, path_comes_from_the_unified_line_on_pure_v2) {
    std::string path = cgroup_path_from("0::/kubepods/pod1/c1\n");
    cr_assert_str_eq(path.c_str(), "/kubepods/pod1/c1");
}

Test(container_cgroup, no_usable_line_is_an_error) {
    cr_assert_throw(cgroup_path_from("1:name=systemd:/x\n"), Error);
}

Test(runtime_options, config_file_sets_binary_and_root_and_names_bad_lines) {
    char path[] = "/tmp/shim-opts.XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    std::string text = "# mogu\n[options]\nBinaryName = \"/opt/mogu\"\nRoot = \"/run/x\"\nSystemdCgroup = true\n";
    cr_assert_eq(write(fd, text.data(), text.size()), ssize_t(text.size()));
    close(fd);
    RuntimeOptions o{"mogu", "/run/containerd/mogu/default"};
    apply_config_file(o, path);
    cr_assert_str_eq(o.binary.c_str(), "/opt/mogu");
    cr_assert_str_eq(o.root.c_str(), "/run/x");
    cr_assert(o.systemd_cgroup);
    std::ofstream(path) << "Bogus = 1\n";
    try {
        apply_config_file(o, path);
        cr_assert_fail("an unknown option was accepted");
    } catch (const Error& e) {
        cr_assert(std::string(e.what()).find(":1: unknown option Bogus") != std::string::npos, "%s", e.what());
    }
    unlink(path);
}

Test(runtime_options, config_file_sets_the_lxcfs_default_and_refuses_a_bad_one) {
    char path[] = "/tmp/shim-opts.XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    std::ofstream(path) << "Lxcfs = \"required\"\nLxcfsPath = \"/srv/lxcfs\"\n";
    RuntimeOptions o{"mogu", "/run/containerd/mogu/default"};
    apply_config_file(o, path);
    cr_assert_str_eq(o.lxcfs.c_str(), "required");
    cr_assert_str_eq(o.lxcfs_path.c_str(), "/srv/lxcfs");
    for (const char* bad : {"Lxcfs = \"sometimes\"\n", "LxcfsPath = \"relative\"\n"}) {
        std::ofstream(path) << bad;
        try {
            apply_config_file(o, path);
            cr_assert_fail("accepted: %s", bad);
        } catch (const Error& e) {
            cr_assert(std::string(e.what()).find(":1: Lxcfs") != std::string::npos, "%s", e.what());
        }
    }
    unlink(path);
}

Test(runtime_options, refuses_an_unknown_options_type_by_name) {
    pbc::Arena arena;
    try {
        options_from_any(wire_any(arena, "example.com/Other", ""), "default");
        cr_assert_fail("unknown options accepted");
    } catch (const Error& e) {
        cr_assert(std::string(e.what()).find("example.com/Other") != std::string::npos, "%s", e.what());
    }
}

Test(runtime_options, saved_options_survive_for_the_delete_command) {
    char dir[] = "/tmp/shim-bundle.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    save_options(dir, {"/usr/sbin/runc", "/run/r/ns", true, false, true});
    RuntimeOptions o = load_options(dir, "ns");
    cr_assert_str_eq(o.binary.c_str(), "/usr/sbin/runc");
    cr_assert_str_eq(o.root.c_str(), "/run/r/ns");
    cr_assert(o.systemd_cgroup);
    cr_assert(o.no_new_keyring);
    unlink((std::string(dir) + "/options.json").c_str());
    rmdir(dir);
}

// The Task service on a real ttrpc connection, with no containers: bad requests get clear
// statuses and the shim keeps serving.
struct ServiceFixture {
    ttrpc::EventLoop loop;
    Publisher events{"", "test"};
    TaskService service{loop, events, "test", [this] { loop.stop(); }};
    ttrpc::Server server{loop};
    std::thread thread;
    std::unique_ptr<ttrpc::Client> client;
    ServiceFixture() {
        service.register_methods(server);
        int sv[2];
        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        server.add_connection(UniqueFd(sv[0]));
        client = std::make_unique<ttrpc::Client>(UniqueFd(sv[1]));
        thread = std::thread([this] { loop.run(); });
    }
    ~ServiceFixture() {
        client.reset();
        loop.post([this] {
            server.close();
            loop.stop();
        });
        thread.join();
    }
};

Test(task_service, unknown_container_is_not_found) {
    ServiceFixture fx;
    containerd::task::v2::StateRequest req;
    req.set_id("nope");
    auto r = fx.client->call(TaskService::kService, "State", req.SerializeAsString(), 5000);
    cr_assert_eq(int(r.status.code), int(ttrpc::Code::not_found));
    cr_assert(r.status.message.find("nope") != std::string::npos);
}

Test(task_service, garbage_payloads_answer_invalid_argument_for_every_method) {
    ServiceFixture fx;
    for (auto m : {"State", "Create", "Start", "Delete", "Pids", "Pause", "Resume", "Checkpoint", "Kill", "Exec",
                   "ResizePty", "CloseIO", "Update", "Wait", "Stats", "Connect", "Shutdown"}) {
        auto r = fx.client->call(TaskService::kService, m, std::string("\xff\xff\xff\xff", 4), 5000);
        cr_assert_eq(int(r.status.code), int(ttrpc::Code::invalid_argument), "%s answered %d: %s", m, int(r.status.code),
                     r.status.message.c_str());
    }
    auto r = fx.client->call(TaskService::kService, "NoSuchMethod", "", 5000);
    cr_assert_eq(int(r.status.code), int(ttrpc::Code::unimplemented));
    containerd::task::v2::ConnectRequest c;
    auto ok = fx.client->call<containerd::task::v2::ConnectResponse>(TaskService::kService, "Connect", c, 5000);
    cr_assert_eq(ok.shim_pid(), uint32_t(getpid()));
}

// Every message the shim decodes with protobuf-c is encoded here by protobuf's C++ classes, as
// containerd's Go would: an UpdateTaskRequest has a nested message type (its annotations map),
// which protobuf-c declares before its parent.
Test(wire, update_request_from_the_cpp_encoder_decodes_whole) {
    containerd::task::v2::UpdateTaskRequest req;
    req.set_id("c1");
    req.mutable_resources()->set_type_url("types.containerd.io/opencontainers/runtime-spec/1/LinuxResources");
    req.mutable_resources()->set_value("{\"cpu\":{\"shares\":512}}");
    (*req.mutable_annotations())["io.kubernetes.cri.container-type"] = "container";
    auto got = pbc::unpack<pb::task::UpdateTaskRequest>(req.SerializeAsString());
    cr_assert(got);
    cr_assert_str_eq(got->id, "c1");
    cr_assert(got->resources);
    cr_assert(pbc::bytes(got->resources->value) == "{\"cpu\":{\"shares\":512}}");
    cr_assert_eq(got->n_annotations, 1u);
    cr_assert_str_eq(got->annotations[0]->key, "io.kubernetes.cri.container-type");
    cr_assert_str_eq(got->annotations[0]->value, "container");
}

Test(wire, create_request_from_the_cpp_encoder_decodes_whole) {
    containerd::task::v2::CreateTaskRequest req;
    req.set_id("c2");
    req.set_bundle("/run/b");
    req.set_terminal(true);
    req.set_stdout("/fifo/out");
    auto* m = req.add_rootfs();
    m->set_type("overlay");
    m->set_source("overlay");
    m->add_options("lowerdir=/l");
    m->add_options("upperdir=/u");
    req.mutable_options()->set_type_url("containerd.runc.v1.Options");
    auto got = pbc::unpack<pb::task::CreateTaskRequest>(req.SerializeAsString());
    cr_assert(got);
    cr_assert_str_eq(got->bundle, "/run/b");
    cr_assert(got->terminal);
    cr_assert_str_eq(got->stdout, "/fifo/out");
    cr_assert_str_eq(got->stdin, "");
    cr_assert_eq(got->n_rootfs, 1u);
    cr_assert_eq(got->rootfs[0]->n_options, 2u);
    cr_assert_str_eq(got->rootfs[0]->options[1], "upperdir=/u");
    cr_assert_str_eq(got->options->type_url, "containerd.runc.v1.Options");
}

Test(task_service, a_request_whose_strings_are_not_utf8_is_refused_as_go_would) {
    ServiceFixture fx;
    containerd::task::v2::StateRequest req;
    req.set_id("ok");
    std::string bytes = req.SerializeAsString();
    bytes.back() = '\x91';  // the id's last byte
    auto r = fx.client->call(TaskService::kService, "State", bytes, 5000);
    cr_assert_eq(int(r.status.code), int(ttrpc::Code::invalid_argument), "%d: %s", int(r.status.code), r.status.message.c_str());
}

Test(task_service, create_with_an_empty_id_is_refused) {
    ServiceFixture fx;
    containerd::task::v2::CreateTaskRequest req;
    req.set_bundle("/nonexistent");
    auto r = fx.client->call(TaskService::kService, "Create", req.SerializeAsString(), 5000);
    cr_assert_eq(int(r.status.code), int(ttrpc::Code::invalid_argument));
}

namespace {

// A scratch folder with a block-device node (7:250, need not exist: only its type is looked at),
// a character device and a plain file.
struct DeviceNodes {
    std::string dir, block, chr, file;
    DeviceNodes() {
        char tmpl[] = "/tmp/mogu-shim-dev.XXXXXX";
        cr_assert_not_null(mkdtemp(tmpl));
        dir = tmpl;
        block = dir + "/thin", chr = dir + "/chr", file = dir + "/file";
        cr_assert_eq(mknod(block.c_str(), S_IFBLK | 0600, makedev(7, 250)), 0, "mknod: %s (needs root)", strerror(errno));
        cr_assert_eq(mknod(chr.c_str(), S_IFCHR | 0600, makedev(1, 3)), 0);
        std::ofstream(file) << "x";
    }
    ~DeviceNodes() {
        for (auto& p : {block, chr, file}) unlink(p.c_str());
        rmdir(dir.c_str());
    }
};

std::vector<RootfsMount> mounts_of(std::initializer_list<std::pair<std::string, std::string>> type_source) {
    std::vector<RootfsMount> ms;
    for (auto& [type, source] : type_source) ms.push_back({type, source, "", {}});
    return ms;
}

}  // namespace

Test(vm_rootfs, one_block_device_mount_is_passed_to_the_vm_with_its_type_and_options) {
    DeviceNodes n;
    auto ms = mounts_of({{"ext4", n.block}});
    ms[0].options = {"noatime", "errors=remount-ro"};
    auto d = rootfs_device_of(ms);
    cr_assert(d.has_value());
    cr_assert_eq(d->device, n.block);
    cr_assert_eq(d->fstype, "ext4");
    cr_assert_eq(d->options, (std::vector<std::string>{"noatime", "errors=remount-ro"}));
}

Test(vm_rootfs, anything_else_is_mounted_on_the_host) {
    DeviceNodes n;
    cr_assert_not(rootfs_device_of(mounts_of({})).has_value());
    cr_assert_not(rootfs_device_of(mounts_of({{"ext4", n.block}, {"bind", "/tmp"}})).has_value());
    cr_assert_not(rootfs_device_of(mounts_of({{"overlay", "overlay"}})).has_value());
    cr_assert_not(rootfs_device_of(mounts_of({{"bind", n.dir}})).has_value());
    cr_assert_not(rootfs_device_of(mounts_of({{"ext4", n.chr}})).has_value());
    cr_assert_not(rootfs_device_of(mounts_of({{"ext4", n.file}})).has_value());
    cr_assert_not(rootfs_device_of(mounts_of({{"ext4", n.dir + "/missing"}})).has_value());
}

Test(vm_rootfs, passing_the_device_adds_annotations_keeps_the_rest_and_leaves_rootfs_empty) {
    DeviceNodes n;
    std::ofstream(n.dir + "/config.json")
        << R"({"ociVersion": "1.0.2", "process": {"args": ["sh", "-c", "echo \"hi\""]}, "root": {"path": "rootfs"},
               "annotations": {"io.mogu.isolation": "vm", "io.mogu.vm.rootfs-device": "/dev/old"}, "linux": {"cgroupsPath": "/x"}})";
    cr_assert(runs_in_vm(n.dir));
    pass_rootfs_device(n.dir, {n.block, "ext4", {"noatime", "ro"}});
    JsonDoc d = JsonDoc::parse(read_file(n.dir + "/config.json"), "config.json");
    Json r = d.root();
    cr_assert_eq(r.get("ociVersion")->as_string(), "1.0.2");
    cr_assert_eq(r.get("process")->string_array("args"), (std::vector<std::string>{"sh", "-c", "echo \"hi\""}));
    cr_assert_eq(r.get("linux")->get("cgroupsPath")->as_string(), "/x");
    Json a = *r.get("annotations");
    cr_assert_eq(a.keys().size(), 4u);
    cr_assert_eq(a.get("io.mogu.isolation")->as_string(), "vm");
    cr_assert_eq(a.get("io.mogu.vm.rootfs-device")->as_string(), n.block);
    cr_assert_eq(a.get("io.mogu.vm.rootfs-fstype")->as_string(), "ext4");
    cr_assert_eq(a.get("io.mogu.vm.rootfs-options")->as_string(), "noatime,ro");
    cr_assert(rootfs_device_passed(n.dir));
    struct stat st {};
    cr_assert_eq(stat((n.dir + "/rootfs").c_str(), &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(rmdir((n.dir + "/rootfs").c_str()), 0, "rootfs is not an empty directory");
    unlink((n.dir + "/config.json").c_str());
}

Test(vm_rootfs, a_bundle_without_the_isolation_annotation_is_not_a_vm_s) {
    DeviceNodes n;
    std::ofstream(n.dir + "/config.json") << R"({"ociVersion": "1.0.2", "annotations": {"io.mogu.isolation": "none"}})";
    cr_assert_not(runs_in_vm(n.dir));  // this test binary is not containerd-shim-mogu-vm-v2
    cr_assert_not(rootfs_device_passed(n.dir));
    unlink((n.dir + "/config.json").c_str());
}

// A process that writes and exits before containerd's reader has opened the output FIFO (its open
// runs on a goroutine of its own): ProcessIo waits for the reader, so the output is there for it
// when it comes, followed by EOF. Without the wait every writer was gone first, the FIFO's data
// dropped and a blocking reader waited forever (ExecSync hung).
Test(process_io, output_to_a_fifo_waits_for_a_late_reader_and_loses_nothing) {
    char dir[] = "/tmp/mogu-fifo-test.XXXXXX";
    cr_assert(mkdtemp(dir));
    std::string fifo = std::string(dir) + "/out";
    cr_assert_eq(mkfifo(fifo.c_str(), 0600), 0);
    std::string got;
    std::thread reader([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) return;
        for (int i = 0; i < 200; ++i) {  // up to 2 s for data and then EOF
            char buf[64];
            ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0) got.append(buf, size_t(n));
            else if (n == 0 && !got.empty()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        close(fd);
    });
    {
        ProcessIo io(StdioPaths{"", fifo, "", false});
        int w = dup(io.child_stdio().out);  // the process's copy
        io.runtime_done();
        cr_assert_eq(write(w, "hello\n", 6), 6);
        close(w);  // the process exits
    }
    reader.join();
    cr_assert_str_eq(got.c_str(), "hello\n");
    unlink(fifo.c_str());
    rmdir(dir);
}
