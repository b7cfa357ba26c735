#include "runtime/security/capabilities.h"

#include "common/error.h"

#include <sys/prctl.h>

#include <algorithm>
#include <cerrno>

namespace mogu::runtime {
namespace {

std::vector<cap_value_t> parse_list(const std::vector<std::string>& names, const std::string& path) {
    std::vector<cap_value_t> out;
    for (size_t i = 0; i < names.size(); ++i) {
        cap_value_t v;
        if (cap_from_name(names[i].c_str(), &v) < 0 || !names[i].starts_with("CAP_"))
            throw SpecError(fmt::format("{}[{}]", path, i), "unknown capability \"{}\"", names[i]);
        // A name libcap knows but this kernel does not is reported, not silently dropped.
        if (v > static_cast<cap_value_t>(cap_max_bits()) - 1)
            throw SpecError(fmt::format("{}[{}]", path, i), "capability \"{}\" is not supported by this kernel", names[i]);
        out.push_back(v);
    }
    return out;
}

bool contains(const std::vector<cap_value_t>& v, cap_value_t c) { return std::find(v.begin(), v.end(), c) != v.end(); }

}  // namespace

CapabilitySets parse_capabilities(const oci::Capabilities& caps, const std::string& path) {
    return CapabilitySets{parse_list(caps.bounding, path + ".bounding"), parse_list(caps.effective, path + ".effective"),
                          parse_list(caps.inheritable, path + ".inheritable"), parse_list(caps.permitted, path + ".permitted"),
                          parse_list(caps.ambient, path + ".ambient")};
}

std::vector<std::string> known_capability_names() {
    std::vector<std::string> out;
    for (cap_value_t c = 0; c < static_cast<cap_value_t>(cap_max_bits()); ++c) {
        char* n = cap_to_name(c);
        if (!n) continue;
        std::string s = n;
        cap_free(n);
        std::transform(s.begin(), s.end(), s.begin(), ::toupper);
        if (s.starts_with("CAP_")) out.push_back(s);
    }
    return out;
}

void drop_bounding_set(const CapabilitySets& caps) {
    for (cap_value_t c = 0; c < static_cast<cap_value_t>(cap_max_bits()); ++c) {
        if (contains(caps.bounding, c)) continue;
        if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) throw SysError(errno, "drop capability {} from the bounding set", c);
    }
}

void apply_capability_sets(const CapabilitySets& caps) {
    cap_t state = cap_init();
    if (!state) throw SysError(errno, "cap_init");
    auto set = [&](cap_flag_t flag, const std::vector<cap_value_t>& v) {
        if (!v.empty() && cap_set_flag(state, flag, static_cast<int>(v.size()), v.data(), CAP_SET) < 0)
            throw SysError(errno, "cap_set_flag");
    };
    try {
        set(CAP_EFFECTIVE, caps.effective);
        set(CAP_PERMITTED, caps.permitted);
        set(CAP_INHERITABLE, caps.inheritable);
        if (cap_set_proc(state) < 0) throw SysError(errno, "set the process capabilities");
    } catch (...) {
        cap_free(state);
        throw;
    }
    cap_free(state);
    if (cap_reset_ambient() < 0 && errno != EINVAL) throw SysError(errno, "clear the ambient capabilities");
    for (cap_value_t c : caps.ambient) {
        // The kernel only allows ambient capabilities that are also permitted and inheritable;
        // like runc, skip the others instead of failing.
        if (!contains(caps.permitted, c) || !contains(caps.inheritable, c)) continue;
        if (cap_set_ambient(c, CAP_SET) < 0) throw SysError(errno, "raise ambient capability {}", c);
    }
}

}  // namespace mogu::runtime
