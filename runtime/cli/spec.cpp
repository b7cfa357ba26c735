// mogu spec: writes a starting config.json, the same shape runc's example has, with runc's
// default masked and read-only paths.
#include "common/error.h"
#include "common/files.h"
#include "runtime/cli/command.h"
#include "runtime/default_spec.h"

#include <cstdio>

namespace mogu::cli {

static int run_spec(const runtime::Context&, const Args& a) {
    a.require_positional(0, 0);
    std::string bundle = a.value_or("bundle", ".");
    std::string path = bundle + "/config.json";
    if (path_exists(path)) throw Error("File {} exists. Remove it first", path);
    write_file(path, runtime::default_spec_json(a.flag("rootless")), 0644);
    return 0;
}

const Command spec_command = {"spec",
                              "spec [command options]",
                              "create a new specification file (config.json)",
                              {{{"bundle", "b"}, true, false, "where to write config.json"},
                               {{"rootless"}, false, false, "a spec for a rootless container"}},
                              run_spec};

}  // namespace mogu::cli
