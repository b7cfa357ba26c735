// `mogu-monitor status`: the status page for a terminal. The same snapshot, as a table with
// Unicode block sparklines of the last 15 minutes. Label values lose their control characters
// (a pod name is user input, and an escape sequence in it must not drive the terminal).
#pragma once

#include "monitor/status.h"

#include <string>
#include <string_view>
#include <vector>

namespace mogu::monitor {

// `width` characters of "▁▂▃▄▅▆▇█", each the largest of its share of the `slots` points (fewer
// values sit at the right end); NaN is a space, 0 the lowest block.
std::string text_sparkline(const std::vector<float>& values, size_t slots, size_t width, double floor_max);
// The text with every control character (C0, DEL) replaced by '?'.
std::string terminal_safe(std::string_view text);

// `source`: where the snapshot came from, for the first line ("http://127.0.0.1:9338").
std::string render_status_text(const StatusSnapshot& s, const std::string& source);

}  // namespace mogu::monitor
