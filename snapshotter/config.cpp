#include "snapshotter/config.h"

#include "common/error.h"
#include "common/files.h"
#include "common/strings.h"
#include "common/toml.h"
#include "snapshotter/sizes.h"


#include <set>
#include <sstream>

namespace mogu::snap {
namespace {

[[noreturn]] void bad(const Config& c, const std::string& key, const std::string& why) {
    throw SpecError(c.source + ": " + key, "{}", why);
}

std::string get_string(const Config& c, const toml::table& t, const char* key, std::string def) {
    auto node = t.get(key);
    if (!node) return def;
    auto s = node->value<std::string>();
    if (!s) bad(c, key, "expected a string");
    return *s;
}

uint64_t get_size(const Config& c, const toml::table& t, const char* key, uint64_t def) {
    auto node = t.get(key);
    if (!node) return def;
    if (auto i = node->value<int64_t>()) {
        if (*i < 0) bad(c, key, "a size cannot be negative");
        return static_cast<uint64_t>(*i);
    }
    auto s = node->value<std::string>();
    if (!s) bad(c, key, "expected a size such as \"10GB\" or \"512MiB\"");
    auto v = parse_size(*s);
    if (!v) bad(c, key, "\"" + *s + "\" is not a size (such as \"10GB\" or \"512MiB\")");
    return *v;
}

bool get_bool(const Config& c, const toml::table& t, const char* key, bool def) {
    auto node = t.get(key);
    if (!node) return def;
    auto b = node->value_exact<bool>();
    if (!b) bad(c, key, "expected true or false");
    return *b;
}

}  // namespace

Config parse_config(const std::string& text, const std::string& source) {
    Config c;
    c.source = source;
    toml::table t = parse_toml(text, source);
    static const std::set<std::string> known = {
        "pool_name", "root_path", "address", "base_image_size", "fs_type", "fs_options", "async_remove",
        "discard_blocks", "data_device", "metadata_device", "data_block_size", "reserve",
        "overprovision_ratio", "low_water_mark", "cache_device", "cache_mode", "cache_policy",
        "cache_block_size"};
    for (auto& [k, v] : t) {
        if (!known.count(std::string(k.str())))
            throw SpecError(source, "unknown key \"{}\" (known: {})", k.str(),
                            join(std::vector<std::string>(known.begin(), known.end()), ", "));
    }

    c.pool_name = get_string(c, t, "pool_name", "");
    if (c.pool_name.empty()) bad(c, "pool_name", "missing: the device-mapper name of the pool");
    for (char ch : c.pool_name)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_')
            bad(c, "pool_name", "\"" + c.pool_name + "\" may only hold letters, digits, '-' and '_'");
    if (c.pool_name.size() > 64) bad(c, "pool_name", "longer than 64 characters");
    c.root_path = get_string(c, t, "root_path", c.root_path);
    if (c.root_path.empty() || c.root_path[0] != '/') bad(c, "root_path", "must be an absolute path");
    c.address = get_string(c, t, "address", c.address);
    if (c.address.empty() || c.address[0] != '/') bad(c, "address", "must be an absolute socket path");
    c.base_image_size = get_size(c, t, "base_image_size", c.base_image_size);
    if (c.base_image_size < 16ULL << 20) bad(c, "base_image_size", "must be at least 16MiB");
    c.fs_type = get_string(c, t, "fs_type", c.fs_type);
    if (c.fs_type != "ext4" && c.fs_type != "xfs") bad(c, "fs_type", "\"" + c.fs_type + "\" is not ext4 or xfs");
    for (auto& o : split(get_string(c, t, "fs_options", ""), ' '))
        if (!o.empty()) c.fs_options.push_back(o);
    c.async_remove = get_bool(c, t, "async_remove", false);
    if (get_bool(c, t, "discard_blocks", false))
        bad(c, "discard_blocks", "true is refused: discard on dm-thin crashed kernels, mogu never discards");
    c.data_device = get_string(c, t, "data_device", "");
    c.metadata_device = get_string(c, t, "metadata_device", "");
    c.data_block_size = get_size(c, t, "data_block_size", c.data_block_size);
    if (c.data_block_size < 64 * 1024 || c.data_block_size > (1ULL << 30) || c.data_block_size % (64 * 1024))
        bad(c, "data_block_size", "must be a multiple of 64KiB between 64KiB and 1GiB");

    if (auto node = t.get("reserve")) {
        auto s = node->value<std::string>();
        if (s && parse_percent(*s)) c.reserve_percent = *parse_percent(*s);
        else c.reserve_bytes = get_size(c, t, "reserve", 0);
        if (c.reserve_percent >= 100) bad(c, "reserve", "must be below 100%");
    }
    if (auto node = t.get("overprovision_ratio")) {
        auto r = node->value<double>();
        if (!r || *r < 1.0 || *r > 100.0)
            bad(c, "overprovision_ratio", "expected a number from 1.0 (no over-provisioning) to 100");
        c.overprovision_ratio = *r;
    }
    if (auto node = t.get("low_water_mark")) {
        auto s = node->value<std::string>();
        auto p = s ? parse_percent(*s) : std::nullopt;
        if (!p || *p == 0) bad(c, "low_water_mark", "expected a percentage of pool use such as \"90%\"");
        c.low_water_mark_percent = *p;
    }
    c.cache_device = get_string(c, t, "cache_device", "");
    c.cache_mode = get_string(c, t, "cache_mode", c.cache_mode);
    if (c.cache_mode != "writethrough" && c.cache_mode != "writeback")
        bad(c, "cache_mode", "\"" + c.cache_mode + "\" is not writethrough or writeback");
    c.cache_policy = get_string(c, t, "cache_policy", c.cache_policy);
    if (c.cache_policy != "smq")
        bad(c, "cache_policy", "\"" + c.cache_policy + "\" is not smq (the kernel's default policy; cleaner is used by `pool cache detach`)");
    c.cache_block_size = get_size(c, t, "cache_block_size", c.cache_block_size);
    if (c.cache_block_size < 32 * 1024 || c.cache_block_size > (1ULL << 30) || c.cache_block_size % (32 * 1024))
        bad(c, "cache_block_size", "must be a multiple of 32KiB between 32KiB and 1GiB");
    if (!c.has_cache())
        for (auto key : {"cache_mode", "cache_policy", "cache_block_size"})
            if (t.get(key)) bad(c, key, "set without cache_device");
    // One device in two roles would have the pool and the cache overwrite each other.
    const std::pair<const char*, const std::string*> devices[] = {
        {"data_device", &c.data_device}, {"metadata_device", &c.metadata_device}, {"cache_device", &c.cache_device}};
    for (size_t i = 0; i < 3; ++i)
        for (size_t j = i + 1; j < 3; ++j)
            if (!devices[i].second->empty() && *devices[i].second == *devices[j].second)
                bad(c, devices[j].first, "names the same device as " + std::string(devices[i].first) + " (" +
                                             *devices[i].second + ")");
    return c;
}

Config load_config(const std::string& path) {
    auto text = read_file_if_exists(path);
    if (!text) throw Error("config {} does not exist", path);
    return parse_config(*text, path);
}

}  // namespace mogu::snap
