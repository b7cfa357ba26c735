// The spec parser and validator: every bad field is named by its JSON path.
#include "common/error.h"
#include "common/json.h"
#include "common/oci/spec.h"
#include "runtime/spec_validate.h"

#include <criterion/criterion.h>

#include <string>

using namespace mogu;

namespace {

const char* kMinimal = R"({
  "ociVersion": "1.0.2",
  "process": {"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}},
  "root": {"path": "/"},
  "linux": {"namespaces": [{"type": "mount"}, {"type": "pid"}, {"type": "uts"}, {"type": "ipc"}, {"type": "network"}]}
})";

oci::Spec parse(const std::string& text) {
    auto doc = JsonDoc::parse(text, "config.json");
    return oci::parse_spec(doc.root());
}

// Replaces `from` with `to` in the minimal spec, parses and validates, returns the error text.
std::string error_of(const std::string& from, const std::string& to) {
    std::string text = kMinimal;
    auto pos = text.find(from);
    cr_assert(pos != std::string::npos, "fixture lacks %s", from.c_str());
    text.replace(pos, from.size(), to);
    try {
        auto spec = parse(text);
        runtime::validate_for_create(spec, "/");
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

void expect_error(const std::string& from, const std::string& to, const std::string& want) {
    std::string got = error_of(from, to);
    cr_assert(got.find(want) != std::string::npos, "want \"%s\" in \"%s\"", want.c_str(), got.c_str());
}

}  // namespace

Test(spec, parses_a_minimal_config) {
    auto s = parse(kMinimal);
    cr_assert_eq(s.process->args.size(), 1u);
    cr_assert_eq(s.linux->namespaces.size(), 5u);
    cr_assert(s.linux->find_namespace(oci::NamespaceType::pid));
    cr_assert(!s.linux->find_namespace(oci::NamespaceType::user));
}

Test(spec, rejects_relative_cwd) { expect_error(R"("cwd": "/")", R"("cwd": "tmp")", R"(process.cwd: "tmp" must be an absolute path)"); }

Test(spec, rejects_unknown_namespace_type) {
    expect_error(R"({"type": "network"})", R"({"type": "pdi"})", R"(linux.namespaces[4].type: unknown namespace type "pdi")");
}

Test(spec, rejects_a_namespace_listed_twice) {
    expect_error(R"({"type": "network"})", R"({"type": "pid"})", R"(linux.namespaces[4]: namespace "pid" is listed twice)");
}

Test(spec, rejects_wrong_types_with_their_path) {
    expect_error(R"("args": ["sh"])", R"("args": "sh")", "process.args: expected an array, got string");
    expect_error(R"("uid": 0)", R"("uid": -1)", "process.user.uid: expected a non-negative integer, got -1");
    expect_error(R"("uid": 0)", R"("uid": 4294967296)", "process.user.uid: 4294967296 is larger than 4294967295");
}

Test(spec, requires_args) { expect_error(R"("args": ["sh"])", R"("args": [])", "process.args: must name the program to run"); }

Test(spec, requires_root_path) { expect_error(R"("root": {"path": "/"})", R"("root": {})", "root.path: is required"); }

Test(spec, rejects_env_without_equals) {
    expect_error(R"("cwd": "/")", R"("cwd": "/", "env": ["PATH=/bin", "JUNK"])", R"(process.env[1]: "JUNK" is not NAME=VALUE)");
}

Test(spec, rejects_relative_mount_destination) {
    expect_error(R"("root": {"path": "/"})", R"("root": {"path": "/"}, "mounts": [{"destination": "proc", "type": "proc"}])",
                 R"(mounts[0].destination: "proc" must be an absolute path)");
}

Test(spec, rejects_unknown_rlimit_and_soft_above_hard) {
    expect_error(R"("cwd": "/")", R"("cwd": "/", "rlimits": [{"type": "RLIMIT_X", "hard": 1, "soft": 1}])",
                 R"(process.rlimits[0].type: unknown rlimit type "RLIMIT_X")");
    expect_error(R"("cwd": "/")", R"("cwd": "/", "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1, "soft": 2}])",
                 "process.rlimits[0]: soft limit 2 is above hard limit 1");
}

Test(spec, rejects_bad_device_type) {
    expect_error(R"("namespaces")", R"("devices": [{"path": "/dev/x", "type": "z", "major": 1, "minor": 1}], "namespaces")",
                 R"(linux.devices[0].type: device type must be one of c, b, u, p; got "z")");
}

Test(spec, rejects_memory_limit_below_minus_one) {
    expect_error(R"("namespaces")", R"("resources": {"memory": {"limit": -5}}, "namespaces")",
                 "linux.resources.memory.limit: must be -1 (unlimited) or a byte count, got -5");
}

Test(spec, requires_a_mount_namespace) {
    expect_error(R"({"type": "mount"}, )", "", "linux.namespaces: a mount namespace is required");
}

Test(spec, hostname_needs_uts) {
    expect_error(R"({"type": "uts"}, )", "", "");
    expect_error(R"("root": {"path": "/"})", R"("root": {"path": "/"}, "hostname": "h")", "");
    std::string text = kMinimal;
    text.replace(text.find(R"({"type": "uts"}, )"), 17, "");
    text.replace(text.find(R"("root": {"path": "/"})"), 21, R"("root": {"path": "/"}, "hostname": "h")");
    auto spec = parse(text);
    try {
        runtime::validate_for_create(spec, "/");
        cr_assert_fail("hostname without uts accepted");
    } catch (const SpecError& e) {
        cr_assert_str_eq(e.path().c_str(), "hostname");
    }
}

Test(spec, sysctl_needs_the_namespace_it_belongs_to) {
    expect_error(R"("namespaces")", R"("sysctl": {"vm.swappiness": "1"}, "namespaces")", "is not in a separate kernel namespace");
    expect_error(R"("namespaces")", R"("sysctl": {"net.ipv4.ip_forward": "1"}, "namespaces")", "");
    expect_error(R"("namespaces")", R"("sysctl": {"kernel.shmmax": "1"}, "namespaces")", "");
    expect_error(R"("namespaces")", R"("sysctl": {"net/../../x": "1"}, "namespaces")", "is not a valid sysctl name");
    expect_error(R"("namespaces")", R"("sysctl": {"kernel.hostname": "x"}, "namespaces")", "conflicts with the \"hostname\" field");
}

Test(spec, user_namespace_needs_both_mappings) {
    expect_error(R"({"type": "mount"})", R"({"type": "mount"}, {"type": "user"})",
                 "linux.uidMappings: a new user namespace needs both uidMappings and gidMappings");
    expect_error(R"("namespaces")", R"("uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}], "namespaces")",
                 "id mappings need a user namespace");
}

Test(spec, missing_rootfs_names_root_path) {
    std::string text = kMinimal;
    text.replace(text.find(R"("path": "/")"), 11, R"("path": "/no/such/rootfs")");
    auto spec = parse(text);
    cr_assert_throw(runtime::validate_for_create(spec, "/"), SysError);
}

Test(spec, parses_resources_for_update) {
    auto doc = JsonDoc::parse(R"({"memory": {"limit": 1048576, "swap": -1}, "cpu": {"shares": 512, "cpus": "0-1"}, "pids": {"limit": 10},
                                 "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}]})",
                              "r");
    auto r = oci::parse_resources(doc.root());
    cr_assert_eq(*r.memory->limit, 1048576);
    cr_assert_eq(*r.memory->swap, -1);
    cr_assert_eq(*r.cpu->shares, 512u);
    cr_assert_eq(*r.pids_limit, 10);
    cr_assert_eq(r.devices.size(), 2u);
    cr_assert(!r.devices[0].major.has_value());
    cr_assert_eq(*r.devices[1].major, 1);
}

Test(spec, device_file_mode_keeps_permission_bits_of_old_containerd_values) {
    std::string text = kMinimal;
    text.replace(text.find(R"("namespaces")"), 12, R"("devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 8630}], "namespaces")");
    auto spec = parse(text);
    cr_assert_eq(*spec.linux->devices[0].file_mode, 0666u);
}
