// linux.cgroupsPath resolution, runc's reading, and the refusal of "..".
#include "common/error.h"
#include "runtime/cgroups/cgroup.h"

#include "tests/unit/cgroups/check.h"

#include <criterion/criterion.h>

#include <string>

using namespace mogu::cgroups;

namespace {
std::string resolved(const std::string& p, const std::string& id = "ctr", const std::string& own = "/user.slice") {
    return resolve_path(p, id, own).path;
}

void expect_spec_error(const std::string& p, const std::string& fragment) {
    try {
        resolve_path(p, "ctr", "/own");
        cr_assert_fail("\"%s\" was accepted", p.c_str());
    } catch (const mogu::SpecError& e) {
        std::string msg = e.what();
        CHECK_STR(e.path(), "linux.cgroupsPath");
        cr_assert(msg.starts_with("linux.cgroupsPath: "), "%s", msg.c_str());
        cr_assert(msg.find(fragment) != std::string::npos, "%s", msg.c_str());
    }
}
}  // namespace

Test(cgroup_path, absolute_is_taken_from_the_root) { CHECK_STR(resolved("/default/abc"), "/default/abc"); }

Test(cgroup_path, relative_hangs_under_the_callers_cgroup) {
    CHECK_STR(resolved("machine/abc"), "/user.slice/machine/abc");
    CHECK_STR(resolved("abc", "x", "/"), "/abc");
}

Test(cgroup_path, empty_is_own_cgroup_plus_container_id) {
    CHECK_STR(resolved("", "web-1"), "/user.slice/web-1");
    CHECK_STR(resolved("", "web-1", "/"), "/web-1");
}

Test(cgroup_path, redundant_slashes_and_dots_are_cleaned) {
    CHECK_STR(resolved("//a///b/./c/"), "/a/b/c");
    CHECK_STR(resolved("./x"), "/user.slice/x");
}

Test(cgroup_path, refuses_dot_dot_escape) {
    expect_spec_error("/../../etc", "\"..\"");
    expect_spec_error("../sibling", "\"..\"");
    expect_spec_error("/a/b/../../..", "\"..\"");
    // Even a ".." that would stay inside is refused: runc would clean it, we make the user say what they mean.
    expect_spec_error("/a/../b", "\"/a/../b\"");
}

Test(cgroup_path, refuses_the_root_cgroup_itself) {
    expect_spec_error("/", "root cgroup");
    expect_spec_error("/./", "root cgroup");
    try {
        resolve_path(".", "ctr", "/");
        cr_assert_fail("\".\" under the root cgroup was accepted");
    } catch (const mogu::SpecError& e) {
        cr_assert(std::string(e.what()).find("root cgroup") != std::string::npos, "%s", e.what());
    }
}

Test(cgroup_path, an_id_that_cannot_be_a_cgroup_name_is_refused_by_name) {
    for (const char* id : {"", "..", ".", "a/b"}) {
        try {
            resolve_path("", id, "/");
            cr_assert_fail("id \"%s\" accepted", id);
        } catch (const mogu::Error& e) {
            cr_assert(std::string(e.what()).find(std::string("container id \"") + id + "\"") != std::string::npos, "%s", e.what());
        }
    }
}

Test(cgroup_path, own_cgroup_with_dot_dot_is_refused_too) {
    cr_assert_throw(resolve_path("x", "ctr", "/../host"), mogu::Error);
}

Test(cgroup_path, colons_are_plain_characters_for_cgroupfs) {
    // systemd's "slice:prefix:name" means nothing to the cgroupfs driver: a relative path, as in runc.
    CHECK_STR(resolved("system.slice:docker:abc"), "/user.slice/system.slice:docker:abc");
}
