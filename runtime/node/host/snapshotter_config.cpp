#include "runtime/node/host/snapshotter_config.h"

#include "common/error.h"
#include "common/files.h"
#include "common/toml.h"


namespace mogu::node {

std::optional<PoolConfig> read_pool_config(const std::string& path) {
    auto text = read_file_if_exists(path);
    if (!text) return std::nullopt;
    PoolConfig c;
    c.source = path;
    toml::table t = parse_toml(*text, path);
    auto name = t["pool_name"].value<std::string>();
    if (!name || name->empty()) throw Error("{}: pool_name: missing or not a string", path);
    c.pool_name = *name;
    if (auto root = t["root_path"]; root) {
        auto v = root.value<std::string>();
        if (!v || v->empty()) throw Error("{}: root_path: expected a path", path);
        c.root_path = *v;
    }
    if (auto n = t["low_water_mark_percent"]; n) {
        auto v = n.value<int64_t>();
        if (!v || *v < 1 || *v > 100) throw Error("{}: low_water_mark_percent: expected an integer from 1 to 100", path);
        c.low_water_mark_percent = static_cast<unsigned>(*v);
    }
    return c;
}

}  // namespace mogu::node
