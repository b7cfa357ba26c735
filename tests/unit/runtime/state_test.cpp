#include "common/error.h"
#include "runtime/state.h"

#include <criterion/criterion.h>

using namespace mogu;
using namespace mogu::runtime;

Test(container_id, refuses_slash_and_dot_dot) {
    cr_assert_throw(validate_container_id("a/b"), Error);
    cr_assert_throw(validate_container_id(".."), Error);
    cr_assert_throw(validate_container_id("."), Error);
    cr_assert_throw(validate_container_id(""), Error);
    cr_assert_throw(validate_container_id("a b"), Error);
    validate_container_id("abc-123_x.y+z");
}

Test(state, round_trips_through_json) {
    ContainerState s;
    s.oci_version = "1.0.2";
    s.id = "c1";
    s.pid = 42;
    s.start_time = 123456789;
    s.bundle = "/b";
    s.rootfs = "/b/rootfs";
    s.created = "2026-01-01T00:00:00Z";
    s.annotations = {{"k", "v \"quoted\""}};
    s.cgroup_path = "/x/c1";
    auto back = state_from_json(state_to_json(s), "state.json");
    cr_assert_eq(back.pid, 42);
    cr_assert_eq(back.start_time, 123456789u);
    cr_assert_eq(back.annotations.at("k"), "v \"quoted\"");
    cr_assert_eq(back.cgroup_path, "/x/c1");
}

Test(state, corrupt_state_names_the_file) {
    try {
        state_from_json(R"({"pid": "x"})", "/run/mogu/c1/state.json");
        cr_assert_fail("accepted");
    } catch (const Error& e) {
        cr_assert(std::string(e.what()).starts_with("/run/mogu/c1/state.json: corrupt state"), "%s", e.what());
    }
}
