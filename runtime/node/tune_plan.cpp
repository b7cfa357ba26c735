#include "runtime/node/tune_plan.h"

#include "common/error.h"
#include "common/json.h"
#include "common/strings.h"

#include <fmt/core.h>

namespace mogu::node {

TunePlan make_tune_plan(const std::string& profile_name, const HostFacts& facts, const std::map<std::string, std::string>& current) {
    auto settings = profile(profile_name, facts);
    if (!settings) throw Error("unknown profile \"{}\" (known: {})", profile_name, join(profile_names(), ", "));
    TunePlan p;
    p.profile = profile_name;
    p.changes = diff_profile(*settings, current);
    p.conf_text = render_sysctl_conf(profile_name, p.changes);
    return p;
}

std::string describe_plan(const TunePlan& plan, const std::string& conf_path) {
    std::string changed, kept, absent;
    size_t n = 0;
    for (const auto& c : plan.changes) {
        if (!c.present) absent += fmt::format("  {}: not on this kernel, written commented out\n", c.setting.key);
        else if (c.needed) {
            ++n;
            changed += fmt::format("  {}: {} -> {}\n      why: {}\n", c.setting.key, *c.current, c.setting.target, c.setting.why);
        } else kept += fmt::format("  {}: {} already meets {}\n", c.setting.key, *c.current, c.setting.target);
    }
    std::string out = fmt::format("profile {}: {} change(s)\n{}", plan.profile, n, changed);
    if (!kept.empty()) out += "unchanged:\n" + kept;
    if (!absent.empty()) out += "absent:\n" + absent;
    out += fmt::format("would write {} with the whole profile, after saving what is there now; nothing was changed\n", conf_path);
    return out;
}

std::string saved_state_json(const SavedState& s) {
    JsonWriter w(true);
    w.begin_object().kv("profile", s.profile);
    w.key("conf");
    if (s.conf) w.value(*s.conf);
    else w.null();
    w.key("values").begin_object();
    for (const auto& [k, v] : s.values) w.kv(k, v);
    w.end_object().end_object();
    return w.str() + "\n";
}

SavedState parse_saved_state(const std::string& text, const std::string& source) {
    auto doc = JsonDoc::parse(text, source);
    SavedState s;
    try {
        auto root = doc.root();
        root.expect_object();
        s.profile = root.string_or("profile", "");
        if (auto c = root.get("conf")) s.conf = c->as_string();
        if (auto v = root.get("values")) {
            v->expect_object();
            v->for_each_member([&](std::string_view k, const Json& val) { s.values[std::string(k)] = val.as_string(); });
        }
    } catch (const SpecError& e) {
        throw Error("{}: not a saved state of mogu tune: {}", source, e.what());
    }
    return s;
}

SavedState merge_saved_state(const std::optional<SavedState>& previous, const std::optional<std::string>& conf_now,
                             const TunePlan& plan) {
    SavedState s = previous ? *previous : SavedState{"", conf_now, {}};
    s.profile = plan.profile;
    for (const auto& c : plan.changes)
        if (c.present && c.needed && !s.values.count(c.setting.key)) s.values[c.setting.key] = *c.current;
    return s;
}

}  // namespace mogu::node
