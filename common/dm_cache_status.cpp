#include "common/dm_cache_status.h"

#include "common/error.h"
#include "common/strings.h"

namespace mogu::dm {
namespace {

uint64_t number(const std::string& s, const std::string& what, const std::string& line) {
    auto v = parse_uint(s);
    if (!v) throw Error("unexpected cache status \"{}\": {} \"{}\" is not a number", line, what, s);
    return *v;
}

void fraction(const std::string& s, uint64_t& used, uint64_t& total, const std::string& line) {
    auto p = split(s, '/');
    if (p.size() != 2) throw Error("unexpected cache status \"{}\": \"{}\" is not used/total", line, s);
    used = number(p[0], "used", line);
    total = number(p[1], "total", line);
}

}  // namespace

CacheStatus parse_cache_status(const std::string& params) {
    CacheStatus s;
    std::string line(trim(params));
    auto f = split(line, ' ');
    if (f.size() == 1 && f[0] == "Fail") { s.failed = true; return s; }
    if (f.size() < 14) throw Error("unexpected cache status \"{}\": too few fields", line);
    size_t i = 0;
    s.meta_block_sectors = number(f[i++], "metadata block size", line);
    fraction(f[i++], s.used_meta_blocks, s.total_meta_blocks, line);
    s.block_sectors = number(f[i++], "cache block size", line);
    fraction(f[i++], s.used_blocks, s.total_blocks, line);
    s.read_hits = number(f[i++], "read hits", line);
    s.read_misses = number(f[i++], "read misses", line);
    s.write_hits = number(f[i++], "write hits", line);
    s.write_misses = number(f[i++], "write misses", line);
    s.demotions = number(f[i++], "demotions", line);
    s.promotions = number(f[i++], "promotions", line);
    s.dirty = number(f[i++], "dirty", line);
    auto take = [&](const char* what) -> const std::string& {
        if (i >= f.size()) throw Error("unexpected cache status \"{}\": {} is missing", line, what);
        return f[i++];
    };
    uint64_t nfeatures = number(take("feature count"), "feature count", line);
    s.mode = "writethrough";  // the kernel's default when no mode feature is listed
    for (uint64_t k = 0; k < nfeatures; ++k) {
        auto& feat = take("feature");
        if (feat == "writeback" || feat == "writethrough" || feat == "passthrough") s.mode = feat;
    }
    uint64_t ncore = number(take("core argument count"), "core argument count", line);
    for (uint64_t k = 0; k < ncore; ++k) take("core argument");
    s.policy = take("policy name");
    uint64_t npolicy = number(take("policy argument count"), "policy argument count", line);
    for (uint64_t k = 0; k < npolicy; ++k) take("policy argument");
    s.metadata_mode = take("metadata mode");
    if (i < f.size()) s.needs_check = f[i] == "needs_check";
    return s;
}

}  // namespace mogu::dm
