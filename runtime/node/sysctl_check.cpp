#include "runtime/node/sysctl_check.h"

#include "common/strings.h"

#include <fmt/core.h>

namespace mogu::node {

void evaluate_sysctls(const std::string& profile_name, const std::vector<Setting>& settings,
                      const std::map<std::string, std::string>& current, Report& r) {
    for (const auto& s : settings) {
        auto it = current.find(s.key);
        const char* want = s.rule == Rule::at_least ? "at least" : s.rule == Rule::at_most ? "at most" : "covering";
        if (it == current.end()) {
            // nf_conntrack's keys exist only once the module is loaded (by the first NAT rule).
            if (s.key.rfind("net.netfilter.", 0) == 0)
                r.ok("sysctl", s.key, "not present: nf_conntrack is not loaded; set it once it is (mogu tune does)");
            else
                r.warn("sysctl", s.key, fmt::format("{} does not exist on this kernel", sysctl_path(s.key)),
                       "nothing to do unless the feature is needed");
            continue;
        }
        std::string value(trim(it->second));
        for (auto& c : value)
            if (c == '\t') c = ' ';
        auto ok = satisfies(s, value);
        if (!ok) {
            r.warn("sysctl", s.key, fmt::format("\"{}\" is not what this check can read", value), "look at it by hand");
        } else if (*ok) {
            r.ok("sysctl", s.key, fmt::format("{} ({} {}): {}", value, want, s.target, s.why));
        } else {
            r.warn("sysctl", s.key, fmt::format("{}, recommended {} {}: {}", value, want, s.target, s.why),
                   fmt::format("mogu tune --profile {} (or sysctl -w {}=\"{}\")", profile_name, s.key, s.target));
        }
    }
}

}  // namespace mogu::node
