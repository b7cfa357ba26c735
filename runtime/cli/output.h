// How container states are printed: runc's JSON for `state` and `list -f json`, and its table.
#pragma once

#include "common/json.h"
#include "runtime/runtime.h"

#include <string>
#include <vector>

namespace mogu::cli {

void write_state_json(JsonWriter& w, const runtime::ContainerView& v);
std::string state_json(const runtime::ContainerView& v);  // indented, as `runc state` prints
std::string list_json(const std::vector<runtime::ContainerView>& views);
std::string list_table(const std::vector<runtime::ContainerView>& views);
// Go tabwriter layout (minwidth 12, padding 3) used by runc's list and ps.
std::string tab_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace mogu::cli
