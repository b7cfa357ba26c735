// A container's network counters from its namespace's /proc/net/dev, and the restarts the
// monitor counts.
#include "monitor/container_network.h"
#include "monitor/container_restarts.h"

#include <criterion/criterion.h>

#include <unistd.h>

using namespace mogu::monitor;

namespace {

const char* kNetDev =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
    "    lo:     420       6    0    0    0     0          0         0      420       6    0    0    0     0       0          0\n"
    "  eth0: 1296789      16    1    2    0     0          0         0   906000      11    3    4    0     0       0          0\n"
    "veth-long-name0:5 1 0 0 0 0 0 0 7 2 0 0 0 0 0 0\n"
    "  bad: 1 2 3\n";

}  // namespace

Test(container_network, parses_every_interface_but_loopback_and_skips_what_does_not_parse) {
    auto v = parse_net_dev(kNetDev);
    cr_assert_eq(v.size(), 2);
    cr_assert_str_eq(v[0].name.c_str(), "eth0");
    cr_assert_eq(v[0].rx_bytes, 1296789);
    cr_assert_eq(v[0].rx_packets, 16);
    cr_assert_eq(v[0].rx_errors, 1);
    cr_assert_eq(v[0].rx_dropped, 2);
    cr_assert_eq(v[0].tx_bytes, 906000);
    cr_assert_eq(v[0].tx_packets, 11);
    cr_assert_eq(v[0].tx_errors, 3);
    cr_assert_eq(v[0].tx_dropped, 4);
    cr_assert_str_eq(v[1].name.c_str(), "veth-long-name0");
    cr_assert_eq(v[1].rx_bytes, 5);
    cr_assert_eq(v[1].tx_packets, 2);
}

Test(container_network, a_process_in_the_monitors_own_namespace_has_no_figures) {
    cr_assert(!read_container_network(getpid()).has_value());
    cr_assert(!read_container_network(0).has_value());
}

Test(container_restarts, a_later_start_under_the_same_identity_is_a_restart_an_earlier_one_is_not) {
    RestartCounter r;
    auto t = RestartCounter::Clock::now();
    cr_assert_eq(r.observe("/run/mogu/web", 100, t), 0);
    cr_assert_eq(r.observe("/run/mogu/web", 100, t), 0);
    cr_assert_eq(r.observe("/run/mogu/web", 200, t), 1);
    cr_assert_eq(r.observe("/run/mogu/web", 150, t), 1, "an older container of the same pod and name is not a restart");
    cr_assert_eq(r.observe("/run/mogu/web", 300, t), 2);
    cr_assert_eq(r.observe("/run/mogu/db", 300, t), 0);
}

Test(container_restarts, kubernetes_containers_are_one_identity_across_ids_others_are_their_root_and_id) {
    Labels pod = {{"name", "abc"}, {"namespace", "shop"}, {"pod", "web-0"}, {"container", "app"}};
    // (Kept in variables: Criterion's macros read their arguments after the statement's temporaries die.)
    std::string first = RestartCounter::identity("/run/a", "abc", pod), second = RestartCounter::identity("/run/a", "def", pod);
    cr_assert_str_eq(first.c_str(), "k8s/shop/web-0/app");
    cr_assert_str_eq(second.c_str(), "k8s/shop/web-0/app");
    Labels plain = {{"name", "abc"}, {"namespace", ""}, {"pod", ""}, {"container", ""}};
    std::string own = RestartCounter::identity("/run/a", "abc", plain);
    cr_assert_str_eq(own.c_str(), "/run/a/abc");
}

Test(container_restarts, identities_not_seen_for_a_while_are_forgotten) {
    RestartCounter r(std::chrono::minutes(15));
    auto t = RestartCounter::Clock::now();
    r.observe("gone", 1, t);
    r.observe("gone", 2, t);
    r.observe("here", 1, t + std::chrono::minutes(14));
    r.forget_stale(t + std::chrono::minutes(16));
    cr_assert_eq(r.size(), 1);
    cr_assert_eq(r.observe("gone", 3, t + std::chrono::minutes(16)), 0, "a forgotten identity starts again at 0");
}
