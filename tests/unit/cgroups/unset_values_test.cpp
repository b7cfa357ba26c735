// The values Docker and containerd send for "no limit" are not limits (runc's reading).
#include "common/error.h"
#include "common/json.h"
#include "common/oci/spec.h"
#include "runtime/cgroups/resources.h"

#include <criterion/criterion.h>

using namespace mogu;
using namespace mogu::cgroups;

namespace {

oci::Resources parse(const char* json) { return oci::parse_resources(JsonDoc::parse(json, "test").root()); }

}  // namespace

Test(unset_values, dockers_defaults_ask_for_nothing) {
    // What dockerd 20.10 writes into every container's config.json.
    auto r = without_unset_values(parse(R"({"memory": {"disableOOMKiller": false}, "cpu": {"shares": 0}, "blockIO": {"weight": 0}})"));
    cr_assert(!r.memory && !r.cpu && !r.block_io && !r.pids_limit);
    cr_assert(!has_limits(r));
}

Test(unset_values, docker_update_changes_only_what_it_names) {
    // `docker update --pids-limit 50`: every other field is 0.
    auto r = without_unset_values(parse(R"({"memory": {"limit": 0, "reservation": 0, "kernel": 0},
        "cpu": {"shares": 0, "quota": 0, "period": 0}, "pids": {"limit": 50}, "blockIO": {"weight": 0}})"));
    cr_assert(!r.memory && !r.cpu && !r.block_io);
    cr_assert_eq(r.pids_limit.value_or(0), 50);
}

Test(unset_values, pids_limit_zero_is_unset_and_minus_one_is_unlimited) {
    cr_assert(!without_unset_values(parse(R"({"pids": {"limit": 0}})")).pids_limit);
    cr_assert_eq(without_unset_values(parse(R"({"pids": {"limit": -1}})")).pids_limit.value_or(0), -1);
}

Test(unset_values, swappiness_minus_one_keeps_the_kernels_default) {
    // Docker writes -1 as a uint64.
    cr_assert(!parse(R"({"memory": {"swappiness": 18446744073709551615}})").memory->swappiness);
    cr_assert(!parse(R"({"memory": {"swappiness": -1}})").memory->swappiness);
    cr_assert_eq(parse(R"({"memory": {"swappiness": 0}})").memory->swappiness.value_or(99), 0u);
    cr_assert_throw(parse("{\"memory\": {\"swappiness\": 101}}"), mogu::SpecError);
}

Test(unset_values, real_values_are_kept) {
    auto r = without_unset_values(parse(R"({"memory": {"limit": 1048576, "disableOOMKiller": true}, "cpu": {"shares": 512, "cpus": "0"},
        "blockIO": {"weight": 500, "weightDevice": [{"major": 8, "minor": 0, "weight": 0}, {"major": 8, "minor": 16, "weight": 300}]}})"));
    cr_assert_eq(r.memory->limit.value_or(0), 1048576);
    cr_assert(r.memory->disable_oom_killer.value_or(false));
    cr_assert_eq(r.cpu->shares.value_or(0), 512u);
    cr_assert_eq(r.block_io->weight.value_or(0), 500);
    cr_assert_eq(r.block_io->weight_device.size(), 1u);
    cr_assert_eq(r.block_io->weight_device[0].minor, 16);
    cr_assert(has_limits(r));
}

Test(unset_values, a_cpuset_alone_keeps_the_cpu_section) {
    auto r = without_unset_values(parse(R"({"cpu": {"shares": 0, "cpus": "0-1"}})"));
    cr_assert(r.cpu && r.cpu->cpus == "0-1" && !r.cpu->shares);
}
