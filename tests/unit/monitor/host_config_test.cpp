// monitor.toml's [host] table: defaults, and what a user gets wrong named with file, line and key.
#include "common/error.h"
#include "monitor/config.h"

#include <criterion/criterion.h>

#include <string>

using namespace mogu;
using namespace mogu::monitor;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "m.toml");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

Test(monitor_host_config, defaults_watch_root_the_four_daemons_and_dev_kmsg) {
    auto c = parse_config("", "m.toml");
    cr_assert_eq(c.host.paths.at(0), "/");
    cr_assert_eq(c.host.daemons, (std::vector<std::string>{"containerd", "dockerd", "mogu-snapshotter", "lxcfs"}));
    cr_assert_eq(c.host.kernel_log, "/dev/kmsg");
}

Test(monitor_host_config, every_key_read) {
    auto c = parse_config("[host]\npaths = [\"/srv\", \"/var/lib/mogu\"]\ndaemons = [\"containerd\"]\nthin_pool = \"mogu-pool\"\n"
                          "kernel_log = \"/tmp/k\"\n",
                          "m.toml");
    cr_assert_eq(c.host.paths, (std::vector<std::string>{"/srv", "/var/lib/mogu"}));
    cr_assert_eq(c.host.daemons, (std::vector<std::string>{"containerd"}));
    cr_assert_eq(c.host.thin_pool, "mogu-pool");
    cr_assert_eq(c.host.kernel_log, "/tmp/k");
}

Test(monitor_host_config, bad_values_name_the_line_and_key) {
    cr_assert_eq(error_of("[host]\npath = [\"/\"]\n"), "m.toml:2: host.path: unknown key (known: host.daemons, host.kernel_log, host.paths, host.thin_pool)");
    cr_assert_eq(error_of("[host]\n\npaths = [\"relative\"]\n"), "m.toml:3: host.paths[0]: \"relative\" is not an absolute path");
    cr_assert_eq(error_of("[host]\npaths = \"/\"\n"), "m.toml:2: host.paths: expected an array of paths, not a string");
    cr_assert_eq(error_of("[host]\ndaemons = [\"/usr/bin/containerd\"]\n"), "m.toml:2: host.daemons[0]: \"/usr/bin/containerd\" is not an executable's name");
    cr_assert_eq(error_of("host = 1\n"), "m.toml:1: host: expected a table ([host]), not an integer");
}
