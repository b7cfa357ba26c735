// monitor.toml: what a user gets wrong is named with the file, the line and the key.
#include "common/error.h"
#include "monitor/config.h"

#include <criterion/criterion.h>

#include <string>

using namespace mogu;
using namespace mogu::monitor;

namespace {

// The message of the error parsing `text` throws ("" when it throws none).
std::string error_of(const std::string& text) {
    try {
        parse_config(text, "/etc/mogu/monitor.toml");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

Test(monitor_config, an_empty_file_means_the_defaults) {
    auto c = parse_config("", "m.toml");
    cr_assert_eq(c.listen.text(), "127.0.0.1:9338");
    cr_assert_eq(c.interval.count(), 10000);
    cr_assert_eq(c.roots, default_roots());
    cr_assert(contains(c.roots[1], "/run/containerd/mogu/*"));
}

Test(monitor_config, reads_every_key) {
    auto c = parse_config("listen = \"[::1]:9400\"\ninterval = \"500ms\"\n[containers]\nroots = [\"/run/a\", \"/run/b/*\"]\n", "m.toml");
    cr_assert_eq(c.listen.host, "::1");
    cr_assert_eq(c.listen.port, 9400);
    cr_assert_eq(c.listen.text(), "[::1]:9400");
    cr_assert_eq(c.interval.count(), 500);
    cr_assert_eq(c.roots.size(), 2u);
    cr_assert_eq(c.roots[1], "/run/b/*");
}

Test(monitor_config, port_zero_is_allowed_for_the_kernel_to_choose) {
    cr_assert_eq(parse_config("listen = \"0.0.0.0:0\"", "m.toml").listen.port, 0);
}

Test(monitor_config, names_an_unknown_top_level_key_with_file_and_line) {
    auto e = error_of("interval = \"10s\"\n\nlisten_address = \"127.0.0.1:1\"\n");
    cr_assert(contains(e, "/etc/mogu/monitor.toml:3: listen_address: unknown key"), "%s", e.c_str());
    cr_assert(contains(e, "known: alerts, containers, host, interval, listen, rules"), "%s", e.c_str());
}

Test(monitor_config, names_an_unknown_key_inside_a_table_by_its_dotted_path) {
    auto e = error_of("[containers]\nroots = [\"/run/mogu\"]\nroot = \"/x\"\n");
    cr_assert(contains(e, "monitor.toml:3: containers.root: unknown key (known: containers.docker_roots, containers.roots)"), "%s", e.c_str());
}

Test(monitor_config, names_a_bad_interval) {
    auto e = error_of("listen = \"127.0.0.1:9338\"\ninterval = \"10 seconds\"\n");
    cr_assert(contains(e, "monitor.toml:2: interval: \"10 seconds\" is not a duration"), "%s", e.c_str());
    e = error_of("interval = 10\n");
    cr_assert(contains(e, "monitor.toml:1: interval: expected a duration such as \"10s\", not an integer"), "%s", e.c_str());
    e = error_of("interval = \"10ms\"\n");
    cr_assert(contains(e, "monitor.toml:1: interval: 10ms is outside 100ms .. 1h"), "%s", e.c_str());
}

Test(monitor_config, names_a_bad_listen_address) {
    auto e = error_of("\nlisten = \"localhost:9338\"\n");
    cr_assert(contains(e, "monitor.toml:2: listen: \"localhost\" is not a numeric IPv4 or IPv6 address"), "%s", e.c_str());
    e = error_of("listen = \"127.0.0.1:70000\"\n");
    cr_assert(contains(e, "monitor.toml:1: listen: \"70000\" is not a port number"), "%s", e.c_str());
    e = error_of("listen = \"::1:9338\"\n");
    cr_assert(contains(e, "listen: an IPv6 address goes in brackets"), "%s", e.c_str());
    e = error_of("listen = 9338\n");
    cr_assert(contains(e, "monitor.toml:1: listen: expected a string"), "%s", e.c_str());
}

Test(monitor_config, names_a_bad_root_by_its_index) {
    auto e = error_of("[containers]\nroots = [\n  \"/run/mogu\",\n  \"run/containerd/mogu/*\",\n]\n");
    cr_assert(contains(e, "monitor.toml:4: containers.roots[1]: \"run/containerd/mogu/*\" is not an absolute path"), "%s", e.c_str());
    e = error_of("[containers]\nroots = \"/run/mogu\"\n");
    cr_assert(contains(e, "monitor.toml:2: containers.roots: expected an array of paths, not a string"), "%s", e.c_str());
    e = error_of("containers = 1\n");
    cr_assert(contains(e, "monitor.toml:1: containers: expected a table"), "%s", e.c_str());
}

Test(monitor_config, reports_toml_syntax_errors_with_line_and_column) {
    auto e = error_of("listen = \"127.0.0.1:9338\"\ninterval = \n");
    cr_assert(contains(e, "/etc/mogu/monitor.toml:2:"), "%s", e.c_str());
}

Test(monitor_config, a_missing_file_is_an_error_only_when_it_was_asked_for) {
    cr_assert_eq(load_config("/nonexistent/monitor.toml", false).listen.port, 9338);
    cr_assert_throw(load_config("/nonexistent/monitor.toml", true), Error);
}

Test(monitor_config, durations_take_one_number_and_one_unit) {
    std::chrono::milliseconds d{};
    cr_assert(parse_duration("2m", d) && d.count() == 120000);
    cr_assert(parse_duration("1h", d) && d.count() == 3600000);
    cr_assert(!parse_duration("1.5s", d));
    cr_assert(!parse_duration("s", d));
    cr_assert(!parse_duration("10", d));
}

Test(monitor_config, docker_roots_default_to_var_lib_docker_and_must_be_absolute) {
    cr_assert(parse_config("", "m.toml").docker_roots == std::vector<std::string>{"/var/lib/docker"});
    auto c = parse_config("[containers]\ndocker_roots = [\"/srv/docker\", \"/var/lib/docker\"]\n", "m.toml");
    cr_assert_eq(c.docker_roots.size(), 2u);
    cr_assert_eq(c.docker_roots[0], "/srv/docker");
    auto e = error_of("[containers]\ndocker_roots = [\"docker\"]\n");
    cr_assert(contains(e, "monitor.toml:2: containers.docker_roots[0]: \"docker\" is not an absolute path"), "%s", e.c_str());
}
