// What `mogu tune` would do, before it touches anything: the profile's changes against the
// current values, the text of the sysctl.d file, and the saved copy `--revert` restores from.
#pragma once

#include "runtime/node/sysctl_profile.h"

#include <map>
#include <optional>
#include <string>

namespace mogu::node {

struct TunePlan {
    std::string profile;
    std::vector<Change> changes;
    std::string conf_text;  // the new /etc/sysctl.d/90-mogu.conf
};

// Throws Error for an unknown profile, naming the known ones.
TunePlan make_tune_plan(const std::string& profile_name, const HostFacts& facts, const std::map<std::string, std::string>& current);

// `--dry-run`'s output: each change with its reason, what is already met, what is absent.
std::string describe_plan(const TunePlan& plan, const std::string& conf_path);

// What was there before the first `mogu tune`: the sysctl.d file (or its absence) and the
// values of every key tune changed since. Kept as JSON.
struct SavedState {
    std::string profile;                       // the last profile applied
    std::optional<std::string> conf;           // the file's text before; nullopt: there was none
    std::map<std::string, std::string> values;  // key -> value before the first change to it
};

std::string saved_state_json(const SavedState& s);
// Throws Error naming `source` for a file that is not a saved state.
SavedState parse_saved_state(const std::string& text, const std::string& source);

// The saved state after applying `plan` on top of `previous` (nullopt: tune has not run
// since the last revert): earlier saved values win, so revert goes back to before the first tune.
SavedState merge_saved_state(const std::optional<SavedState>& previous, const std::optional<std::string>& conf_now,
                             const TunePlan& plan);

}  // namespace mogu::node
